// Package outbound makes the HTTP calls pdca sends to addresses its users
// give (webhooks), so that those addresses cannot reach inside: loopback,
// private, link-local, unique-local, multicast and other non-global
// addresses are refused when an address is saved (CheckURL) and again on
// the address actually dialled (Client), so DNS rebinding does not help.
// An operator on a private network allows named hosts or ranges with a
// Policy. The package has no HTTP handlers and knows nothing of storage.
package outbound

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/pdca/pdca/internal/isms"
)

// Policy says which addresses outbound calls may reach: every public
// (globally routable) address, plus the hosts and ranges an operator
// allowed. The zero Policy allows public addresses only.
type Policy struct {
	hosts map[string]bool
	nets  []netip.Prefix
}

// ParseAllow builds a Policy from operator entries: each entry is a
// comma-separated list of host names (hooks.corp.example), IP addresses
// (10.0.0.5) or CIDR ranges (10.0.0.0/8, fd00::/8). An invalid entry is
// an error naming it.
func ParseAllow(entries []string) (Policy, error) {
	var p Policy
	for _, e := range entries {
		for _, s := range strings.Split(e, ",") {
			s = strings.TrimSpace(s)
			if s == "" {
				continue
			}
			if pre, err := netip.ParsePrefix(s); err == nil {
				p.nets = append(p.nets, pre.Masked())
				continue
			}
			if ip, err := netip.ParseAddr(strings.Trim(s, "[]")); err == nil {
				ip = ip.Unmap()
				p.nets = append(p.nets, netip.PrefixFrom(ip, ip.BitLen()))
				continue
			}
			h := normHost(s)
			if !validName(h) {
				return Policy{}, fmt.Errorf("allowed webhook host %q: give a host name (hooks.corp.example), an IP address (10.0.0.5) or a CIDR range (10.0.0.0/8)", s)
			}
			if p.hosts == nil {
				p.hosts = map[string]bool{}
			}
			p.hosts[h] = true
		}
	}
	return p, nil
}

// String lists the allowed hosts and ranges, for logs.
func (p Policy) String() string {
	var out []string
	for h := range p.hosts {
		out = append(out, h)
	}
	for _, n := range p.nets {
		out = append(out, n.String())
	}
	return strings.Join(out, ",")
}

func normHost(h string) string { return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(h)), ".") }

func validName(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	for _, r := range h {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '.' || r == '_') {
			return false
		}
	}
	return true
}

// allowsName reports whether the operator allowed the host by name.
func (p Policy) allowsName(host string) bool { return p.hosts[normHost(host)] }

// AllowsAddr reports whether a call may connect to ip: a public address
// or one inside an allowed range. IPv4-mapped IPv6 addresses are judged as
// the IPv4 address they carry.
func (p Policy) AllowsAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	for _, n := range p.nets {
		if n.Contains(ip) {
			return true
		}
	}
	return Public(ip)
}

// nonGlobal are special-purpose ranges of the IANA registries that the
// netip predicates do not cover (CGNAT, benchmarking, documentation,
// reserved, and the IPv6 ranges that embed or translate IPv4).
var nonGlobal = func() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range []string{
		"0.0.0.0/8", "100.64.0.0/10", "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "198.18.0.0/15",
		"198.51.100.0/24", "203.0.113.0/24", "240.0.0.0/4",
		"::/96", "64:ff9b::/96", "64:ff9b:1::/48", "100::/64", "2001::/23", "2001:db8::/32", "2002::/16", "fec0::/10",
	} {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}()

// Public reports whether ip is a globally routable unicast address: not
// loopback, private (RFC 1918), CGNAT (100.64/10), link-local, unique
// local (fc00::/7), multicast, unspecified, documentation, reserved, or
// an IPv6 form that embeds an IPv4 address (IPv4-mapped forms are judged
// as IPv4).
func Public(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.Zone() != "" || !ip.IsGlobalUnicast() || ip.IsPrivate() || ip.IsLoopback() ||
		ip.IsLinkLocalUnicast() || ip.IsMulticast() || ip.IsUnspecified() {
		return false
	}
	for _, n := range nonGlobal {
		if n.Contains(ip) {
			return false
		}
	}
	return true
}

// lookupTimeout bounds the name resolution of CheckURL.
const lookupTimeout = 3 * time.Second

// CheckURL returns EINVALID, naming the rule, unless raw is an http(s)
// URL whose host is allowed: a public IP address written in standard
// form, or a name that is not localhost and, when it resolves now,
// resolves only to allowed addresses (a name that does not resolve is
// accepted: the dialer checks every address again at each call). Hosts
// and ranges of the Policy are allowed. what names the field in errors,
// e.g. "webhook URL". The URL itself is not echoed: it may be a secret.
func (p Policy) CheckURL(ctx context.Context, what, raw string) error {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return isms.Errorf(isms.EINVALID, "%s: give an http(s) address, e.g. https://hooks.example.com/pdca", what)
	}
	host := normHost(u.Hostname())
	if p.allowsName(host) {
		return nil
	}
	notPublic := func(h string) error {
		return isms.Errorf(isms.EINVALID, "%s: %s is not a public address (loopback, private, link-local and other internal addresses are refused; the operator can allow a host with serve --webhook-allow)", what, h)
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		if !p.AllowsAddr(ip) {
			return notPublic(host)
		}
		return nil
	}
	if endsInNumber(host) {
		return isms.Errorf(isms.EINVALID, "%s: host %s looks like a number; write an IP address in dotted-decimal form (e.g. 192.0.2.10) or use a host name", what, host)
	}
	if !validName(host) {
		return isms.Errorf(isms.EINVALID, "%s: host %q is not a valid host name", what, host)
	}
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return notPublic(host)
	}
	lctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	ips, err := net.DefaultResolver.LookupNetIP(lctx, "ip", host)
	if err != nil {
		return nil // not resolvable now: the dialer checks at each call
	}
	for _, ip := range ips {
		if !p.AllowsAddr(ip) {
			return notPublic(host)
		}
	}
	return nil
}

// endsInNumber follows the URL standard's IPv4 parser: a host whose last
// label is a number (decimal, 0x hexadecimal or octal) is read as an IPv4
// address by browsers and C resolvers (0x7f000001, 2130706433, 127.1), so
// such hosts are refused unless they are a dotted-decimal address.
func endsInNumber(host string) bool {
	labels := strings.Split(host, ".")
	last := labels[len(labels)-1]
	if last == "" && len(labels) > 1 {
		last = labels[len(labels)-2]
	}
	if last == "" {
		return false
	}
	digits := last
	if strings.HasPrefix(last, "0x") {
		digits = last[2:]
		for _, r := range digits {
			if !strings.ContainsRune("0123456789abcdef", r) {
				return false
			}
		}
		return true
	}
	for _, r := range digits {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
