package app

import (
	"context"
	"io"
	"slices"
	"strings"

	"github.com/pdca/pdca/internal/importer"
	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
)

// NoProfile, given as an import's profile, reads the file without one even
// when a profile's file pattern matches its name.
const NoProfile = "none"

// SampleRows is how many parsed rows an import returns for its preview.
const SampleRows = 20

// ImportProfiles lists the organisation's saved import profiles by name.
// Requires read.
func (a *App) ImportProfiles(ctx context.Context, p Principal, org string) ([]store.StoredProfile, error) {
	var out []store.StoredProfile
	err := a.read(ctx, p, org, isms.ActRead, func(tx *store.Tx, m *Member) (err error) {
		out, err = tx.ImportProfiles(ctx, m.Org.ID)
		return err
	})
	return out, err
}

// ImportProfile returns the organisation's profile called name (any
// case). Requires read. ENOTFOUND when there is none.
func (a *App) ImportProfile(ctx context.Context, p Principal, org, name string) (*store.StoredProfile, error) {
	var out *store.StoredProfile
	err := a.read(ctx, p, org, isms.ActRead, func(tx *store.Tx, m *Member) (err error) {
		out, err = tx.ImportProfile(ctx, m.Org.ID, name)
		return err
	})
	return out, err
}

// SaveImportProfile stores an import profile under its name and reports
// whether it created one. With replace false a profile of that name (any
// case) is ECONFLICT; with replace true it is replaced. The profile is
// normalised and checked first (EINVALID naming the field: isms Check and
// importer.CheckProfile); NoProfile is not a name. Requires import;
// audited as import_profile.create or import_profile.update, with the
// profile before and after.
func (a *App) SaveImportProfile(ctx context.Context, p Principal, org string, prof isms.ImportProfile, replace bool) (bool, error) {
	prof.Normalize()
	if strings.EqualFold(prof.Name, NoProfile) {
		return false, isms.Errorf(isms.EINVALID, "name %q: this word means \"no profile\" in an import; choose another name", prof.Name)
	}
	if err := importer.CheckProfile(prof); err != nil {
		return false, err
	}
	var created bool
	err := a.write(ctx, p, org, isms.ActImport, func(tx *store.Tx, m *Member) error {
		old, err := tx.ImportProfile(ctx, m.Org.ID, prof.Name)
		switch {
		case isms.ErrorCode(err) == isms.ENOTFOUND:
			old = nil
		case err != nil:
			return err
		case !replace:
			return isms.Errorf(isms.ECONFLICT, "name: a profile called %q exists; choose another name, or edit that profile", old.Profile.Name)
		}
		var id int64
		if id, created, err = tx.PutImportProfile(ctx, m.Org.ID, p.UserID, prof); err != nil {
			return err
		}
		if created {
			return audit(ctx, tx, m.Org.ID, p, "import_profile.create", "import_profile", id, nil, prof)
		}
		if old.Profile.Name == prof.Name && profilesEqual(old.Profile, prof) {
			return nil
		}
		return audit(ctx, tx, m.Org.ID, p, "import_profile.update", "import_profile", old.ID, old.Profile, prof)
	})
	return created, err
}

// DeleteImportProfile removes the organisation's profile called name.
// Requires import; audited as import_profile.delete with the profile as it
// was. ENOTFOUND when there is none.
func (a *App) DeleteImportProfile(ctx context.Context, p Principal, org, name string) error {
	return a.write(ctx, p, org, isms.ActImport, func(tx *store.Tx, m *Member) error {
		old, err := tx.ImportProfile(ctx, m.Org.ID, name)
		if err != nil {
			return err
		}
		if err := tx.DeleteImportProfile(ctx, m.Org.ID, name); err != nil {
			return err
		}
		return audit(ctx, tx, m.Org.ID, p, "import_profile.delete", "import_profile", old.ID, old.Profile, nil)
	})
}

// PeekImport reads the header and first rows of a file as written
// (importer.Peek), to build a profile from it. Requires import.
func (a *App) PeekImport(ctx context.Context, p Principal, org string, kind isms.RecordKind, format importer.Format, file io.Reader) (importer.Sample, error) {
	if err := a.CanImport(ctx, p, org); err != nil {
		return importer.Sample{}, err
	}
	return importer.Peek(file, importer.Options{Kind: kind, Format: format}, SampleRows)
}

// importProfile resolves the profile of an import: the one named (any
// case), none for NoProfile, else the one of the kind whose file pattern
// matches the file name. Several matching is EINVALID naming them; a
// named profile of another kind is EINVALID. An import without a kind
// takes its named profile's.
func importProfile(ctx context.Context, tx *store.Tx, orgID int64, req *ImportRequest) (*isms.ImportProfile, bool, error) {
	switch {
	case strings.EqualFold(req.Profile, NoProfile):
		return nil, false, nil
	case req.Profile != "":
		sp, err := tx.ImportProfile(ctx, orgID, req.Profile)
		if err != nil {
			return nil, false, err
		}
		if req.Kind == "" {
			req.Kind = sp.Profile.Kind
		}
		if sp.Profile.Kind != req.Kind {
			return nil, false, isms.Errorf(isms.EINVALID, "profile %q reads %s, not %s; import with kind %s or choose another profile",
				sp.Profile.Name, sp.Profile.Kind, req.Kind, sp.Profile.Kind)
		}
		return &sp.Profile, false, nil
	}
	if req.FileName == "" {
		return nil, false, nil
	}
	all, err := tx.ImportProfiles(ctx, orgID)
	if err != nil {
		return nil, false, err
	}
	var found []isms.ImportProfile
	for _, sp := range all {
		if sp.Profile.Kind == req.Kind && sp.Profile.Matches(req.FileName) {
			found = append(found, sp.Profile)
		}
	}
	switch len(found) {
	case 0:
		return nil, false, nil
	case 1:
		return &found[0], true, nil
	}
	names := make([]string, len(found))
	for i, f := range found {
		names[i] = `"` + f.Name + `"`
	}
	return nil, false, isms.Errorf(isms.EINVALID, "profile: the file name %s matches the profiles %s; name the one to use, or %q for none",
		req.FileName, strings.Join(names, " and "), NoProfile)
}

func profilesEqual(a, b isms.ImportProfile) bool {
	ja, _ := isms.ProfileJSON(a)
	jb, _ := isms.ProfileJSON(b)
	return slices.Equal(ja, jb)
}
