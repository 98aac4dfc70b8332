package tlsca

import (
	"crypto/x509"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
)

// names is the set of subject alternative names the server certificate
// must carry.
type names struct {
	dns []string
	ips []net.IP
}

// parseNames normalises hostnames (lower case, no trailing dot, IPs
// recognised with or without brackets) and always adds localhost,
// 127.0.0.1 and ::1. Invalid names are an error here rather than a
// certificate no client will accept.
func parseNames(hostnames []string) (names, error) {
	n := names{dns: []string{"localhost"}, ips: []net.IP{net.IPv4(127, 0, 0, 1).To4(), net.IPv6loopback}}
	for _, h := range hostnames {
		h = strings.TrimSpace(h)
		if h == "" {
			continue
		}
		unbracketed := strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")
		if addr, err := netip.ParseAddr(unbracketed); err == nil {
			if addr.Zone() != "" {
				return names{}, fmt.Errorf("tlsca: IP address %q: zones cannot appear in certificates", h)
			}
			ip := net.IP(addr.Unmap().AsSlice())
			if !slices.ContainsFunc(n.ips, ip.Equal) {
				n.ips = append(n.ips, ip)
			}
			continue
		}
		d := strings.TrimSuffix(strings.ToLower(h), ".")
		if err := checkDNSName(d); err != nil {
			return names{}, fmt.Errorf("tlsca: hostname %q: %w", h, err)
		}
		if !slices.Contains(n.dns, d) {
			n.dns = append(n.dns, d)
		}
	}
	return n, nil
}

// checkDNSName accepts LDH labels (plus "_", seen in local setups) and a
// wildcard only as the whole leftmost label of a name with more labels.
func checkDNSName(d string) error {
	if len(d) > 253 {
		return fmt.Errorf("longer than 253 characters")
	}
	labels := strings.Split(d, ".")
	for i, l := range labels {
		switch {
		case l == "":
			return fmt.Errorf("empty label")
		case l == "*" && i == 0 && len(labels) > 1:
			continue
		case strings.Contains(l, "*"):
			return fmt.Errorf("a wildcard must be the whole first label, as in *.localhost")
		case len(l) > 63:
			return fmt.Errorf("label %q longer than 63 characters", l)
		case l[0] == '-' || l[len(l)-1] == '-':
			return fmt.Errorf("label %q starts or ends with a hyphen", l)
		}
		for _, c := range l {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return fmt.Errorf("invalid character %q (ports and URLs are not hostnames)", c)
			}
		}
	}
	return nil
}

// coveredBy reports whether cert lists every wanted name literally. A
// certificate wildcard does not stand in for a wanted plain name: matching
// literally keeps the rule simple and at worst re-issues once.
func (n names) coveredBy(cert *x509.Certificate) bool {
	for _, d := range n.dns {
		if !slices.ContainsFunc(cert.DNSNames, func(c string) bool { return strings.EqualFold(c, d) }) {
			return false
		}
	}
	for _, ip := range n.ips {
		if !slices.ContainsFunc(cert.IPAddresses, ip.Equal) {
			return false
		}
	}
	return true
}
