package app

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// MaxPasskeys is how many passkeys one person may register.
const MaxPasskeys = 20

// PasskeyTimeout is how long a passkey ceremony (registration or
// sign-in) may take between its options and its answer; the server
// enforces it on the challenge it keeps.
const PasskeyTimeout = 3 * time.Minute

// NewWebAuthn returns the relying party for an RP ID (a domain, such as
// pdca.example.com or localhost) and the one origin (scheme://host[:port])
// passkeys are created and used on.
func NewWebAuthn(rpID, origin string) (*webauthn.WebAuthn, error) {
	t := webauthn.TimeoutConfig{Enforce: true, Timeout: PasskeyTimeout, TimeoutUVD: PasskeyTimeout}
	return webauthn.New(&webauthn.Config{
		RPID:          rpID,
		RPDisplayName: "pdca",
		RPOrigins:     []string{origin},
		Timeouts:      webauthn.TimeoutsConfig{Login: t, Registration: t},
	})
}

var b64 = base64.RawURLEncoding

// passkeyUser is a person as go-webauthn sees them. The user handle is
// the person's id: opaque, not an email address.
type passkeyUser struct {
	id    int64
	email string
	name  string
	creds []webauthn.Credential
}

func (u *passkeyUser) WebAuthnID() []byte          { return []byte("pdca-user-" + strconv.FormatInt(u.id, 10)) }
func (u *passkeyUser) WebAuthnName() string        { return u.email }
func (u *passkeyUser) WebAuthnDisplayName() string { return u.name }
func (u *passkeyUser) WebAuthnCredentials() []webauthn.Credential {
	return u.creds
}

func (u *passkeyUser) descriptors() []protocol.CredentialDescriptor {
	out := make([]protocol.CredentialDescriptor, 0, len(u.creds))
	for _, c := range u.creds {
		out = append(out, c.Descriptor())
	}
	return out
}

// loadPasskeyUser reads the person and their passkeys.
func loadPasskeyUser(ctx context.Context, tx *store.Tx, userID int64) (*store.UserCredentials, *passkeyUser, error) {
	c, err := tx.UserByID(ctx, userID)
	if err != nil {
		return nil, nil, err
	}
	keys, err := tx.PasskeysOf(ctx, userID)
	if err != nil {
		return nil, nil, err
	}
	u := &passkeyUser{id: userID, email: c.User.Email, name: c.User.Name}
	if u.name == "" {
		u.name = u.email
	}
	for _, k := range keys {
		id, err1 := b64.DecodeString(k.CredentialID)
		pub, err2 := b64.DecodeString(k.PublicKey)
		if err1 != nil || err2 != nil {
			return nil, nil, fmt.Errorf("passkey %d of user %d: bad encoding", k.ID, userID)
		}
		var tr []protocol.AuthenticatorTransport
		for _, t := range strings.Split(k.Transports, ",") {
			if t != "" {
				tr = append(tr, protocol.AuthenticatorTransport(t))
			}
		}
		u.creds = append(u.creds, webauthn.Credential{
			ID: id, PublicKey: pub, Transport: tr,
			Flags:         webauthn.NewCredentialFlags(protocol.AuthenticatorFlags(k.Flags)),
			Authenticator: webauthn.Authenticator{SignCount: k.SignCount},
		})
	}
	return c, u, nil
}

func signedInPerson(p Principal) error {
	if p.System || p.Token != nil || p.UserID == 0 {
		return isms.Errorf(isms.EFORBIDDEN, "sign in to change your second factor")
	}
	return nil
}

var errSSOPasskey = isms.Errorf(isms.EINVALID, "you sign in with single sign-on: your identity provider asks for the second factor")

// Passkeys lists the signed-in person's passkeys (public data only).
func (a *App) Passkeys(ctx context.Context, p Principal) ([]store.Passkey, error) {
	if err := signedInPerson(p); err != nil {
		return nil, err
	}
	var out []store.Passkey
	err := a.DB.Read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.PasskeysOf(ctx, p.UserID)
		return err
	})
	return out, err
}

// BeginPasskeyRegistration returns the options for the browser's
// navigator.credentials.create and the ceremony's session data, which
// the caller keeps on the server until FinishPasskeyRegistration.
// Passkeys already registered are excluded.
func (a *App) BeginPasskeyRegistration(ctx context.Context, wa *webauthn.WebAuthn, p Principal) (*protocol.CredentialCreation, *webauthn.SessionData, error) {
	if err := signedInPerson(p); err != nil {
		return nil, nil, err
	}
	var u *passkeyUser
	err := a.DB.Read(ctx, func(tx *store.Tx) error {
		c, pu, err := loadPasskeyUser(ctx, tx, p.UserID)
		if err != nil {
			return err
		}
		if c.PasswordHash == "" {
			return errSSOPasskey
		}
		if len(pu.creds) >= MaxPasskeys {
			return isms.Errorf(isms.EINVALID, "you have %d passkeys, the most allowed; remove one first", MaxPasskeys)
		}
		u = pu
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return wa.BeginRegistration(u,
		webauthn.WithExclusions(u.descriptors()),
		webauthn.WithResidentKeyRequirement(protocol.ResidentKeyRequirementPreferred),
		webauthn.WithConveyancePreference(protocol.PreferNoAttestation))
}

// FinishPasskeyRegistration checks the browser's answer against the
// session data of BeginPasskeyRegistration and stores the credential
// under name. Audited as user.mfa_enable with method passkey and the
// name (no credential material). EINVALID when the answer does not
// verify or the name is too long; ECONFLICT when it is registered.
func (a *App) FinishPasskeyRegistration(ctx context.Context, wa *webauthn.WebAuthn, p Principal, session webauthn.SessionData, resp *protocol.ParsedCredentialCreationData, name string) error {
	if err := signedInPerson(p); err != nil {
		return err
	}
	name = strings.TrimSpace(name)
	if name == "" {
		name = "Passkey"
	}
	if utf8.RuneCountInString(name) > 100 {
		return isms.Errorf(isms.EINVALID, "name: at most 100 characters")
	}
	return a.DB.Write(ctx, func(tx *store.Tx) error {
		c, u, err := loadPasskeyUser(ctx, tx, p.UserID)
		if err != nil {
			return err
		}
		if c.PasswordHash == "" {
			return errSSOPasskey
		}
		if len(u.creds) >= MaxPasskeys {
			return isms.Errorf(isms.EINVALID, "you have %d passkeys, the most allowed; remove one first", MaxPasskeys)
		}
		cred, err := wa.CreateCredential(u, session, resp)
		if err != nil {
			return isms.Errorf(isms.EINVALID, "passkey: the browser's answer does not verify (%s); start again from your account page", webauthnReason(err))
		}
		tr := make([]string, 0, len(cred.Transport))
		for _, t := range cred.Transport {
			tr = append(tr, string(t))
		}
		k := &store.Passkey{UserID: p.UserID, CredentialID: b64.EncodeToString(cred.ID), PublicKey: b64.EncodeToString(cred.PublicKey),
			SignCount: cred.Authenticator.SignCount, Transports: strings.Join(tr, ","), Flags: uint8(cred.Flags.ProtocolValue()), Name: name}
		if err := tx.AddPasskey(ctx, k); err != nil {
			return err
		}
		return audit(ctx, tx, isms.SystemOrgID, p, "user.mfa_enable", "user", p.UserID, nil,
			map[string]any{"method": "passkey", "passkey": k.ID, "name": name})
	})
}

// RemovePasskey deletes one of the signed-in person's passkeys after
// checking their password (throttled like sign-in), so a session left
// open cannot take the factor away. Audited as user.mfa_disable with
// method passkey. EUNAUTHORIZED, ENOTFOUND, ETOOMANY.
func (a *App) RemovePasskey(ctx context.Context, p Principal, id int64, password, address string) error {
	if err := signedInPerson(p); err != nil {
		return err
	}
	var c *store.UserCredentials
	if err := a.DB.Read(ctx, func(tx *store.Tx) error {
		var err error
		c, err = tx.UserByID(ctx, p.UserID)
		return err
	}); err != nil {
		return err
	}
	if c.PasswordHash == "" {
		return errSSOPasskey
	}
	ok, err := a.checkPassword(ctx, c, password, address, nil)
	if err != nil {
		return err
	}
	if !ok {
		return isms.Errorf(isms.EUNAUTHORIZED, "the password is wrong")
	}
	return a.DB.Write(ctx, func(tx *store.Tx) error {
		k, err := tx.DeletePasskey(ctx, p.UserID, id)
		if err != nil {
			return err
		}
		return audit(ctx, tx, isms.SystemOrgID, p, "user.mfa_disable", "user", p.UserID,
			map[string]any{"method": "passkey", "passkey": k.ID, "name": k.Name}, nil)
	})
}

// SecondFactors reports which second factors the person has (TOTP, a
// passkey), for the second step of sign-in.
func (a *App) SecondFactors(ctx context.Context, userID int64) (totp, passkey bool, err error) {
	err = a.DB.Read(ctx, func(tx *store.Tx) error {
		c, err := tx.UserByID(ctx, userID)
		if err != nil {
			return err
		}
		totp, passkey = c.TOTP, c.Passkey
		return nil
	})
	return totp, passkey, err
}

// BeginPasskeySignIn returns the options for navigator.credentials.get
// for a sign-in whose password was right (SignedIn.NeedsCode), allowing
// only the person's passkeys, and the session data to keep on the server.
func (a *App) BeginPasskeySignIn(ctx context.Context, wa *webauthn.WebAuthn, userID int64) (*protocol.CredentialAssertion, *webauthn.SessionData, error) {
	var u *passkeyUser
	err := a.DB.Read(ctx, func(tx *store.Tx) error {
		var err error
		_, u, err = loadPasskeyUser(ctx, tx, userID)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	if len(u.creds) == 0 {
		return nil, nil, isms.Errorf(isms.EINVALID, "you have no passkey; enter a code from your authenticator app")
	}
	return wa.BeginLogin(u, webauthn.WithUserVerification(protocol.VerificationPreferred))
}

// VerifyPasskey completes a sign-in whose password was right with the
// browser's assertion, checked against the session data of
// BeginPasskeySignIn: challenge, origin, RP ID, one of the person's
// credentials, its signature, and a signature counter that moved forward
// (unless the authenticator keeps none). Throttled on the second factor's
// counters and audited like a code (method passkey). EUNAUTHORIZED,
// ETOOMANY.
func (a *App) VerifyPasskey(ctx context.Context, wa *webauthn.WebAuthn, userID int64, session webauthn.SessionData, resp *protocol.ParsedCredentialAssertionData, address string) (*SignedIn, error) {
	var out *SignedIn
	var failed bool
	err := a.DB.Write(ctx, func(tx *store.Tx) error {
		c, u, err := loadPasskeyUser(ctx, tx, userID)
		if err != nil {
			return err
		}
		k := keysFor("code", c.User.Email, address)
		if err := countAttempt(ctx, tx, k); err != nil {
			return err
		}
		var cred *webauthn.Credential
		reason := "passkey assertion refused"
		if len(u.creds) == 0 {
			reason = "no passkey"
		} else if cred, err = wa.ValidateLogin(u, session, resp); err != nil {
			reason = "passkey assertion refused: " + webauthnReason(err)
			cred = nil
		} else if cred.Authenticator.CloneWarning {
			reason = "passkey signature counter went back (a cloned authenticator?)"
			cred = nil
		}
		if cred == nil {
			failed = true
			return auditSigninFailure(ctx, tx, c, c.User.Email, address, "passkey", reason)
		}
		if err := tx.UsePasskey(ctx, userID, b64.EncodeToString(cred.ID), cred.Authenticator.SignCount); err != nil {
			return err
		}
		if err := forgive(ctx, tx, k); err != nil {
			return err
		}
		out = &SignedIn{User: &c.User, Method: "password+passkey", At: tx.Now}
		return auditSignin(ctx, tx, &c.User, address, out.Method)
	})
	if err != nil {
		return nil, err
	}
	if failed {
		return nil, isms.Errorf(isms.EUNAUTHORIZED, "the passkey was not accepted; try again or use a code")
	}
	return out, nil
}

// webauthnReason is a short, non-secret reason from a go-webauthn error.
func webauthnReason(err error) string {
	if e, ok := err.(*protocol.Error); ok && e.Details != "" {
		return e.Details
	}
	return "verification failed"
}
