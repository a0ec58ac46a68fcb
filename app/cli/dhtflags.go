package cli

import (
	"flag"
	"net"
	"net/netip"
	"strings"
)

// DHTFlagValues are the DHT flags of "download" and "seed" once parsed;
// copy them into DownloadOptions or SeedOptions (NoDHT, DHTBootstrap,
// DHTSameIP).
type DHTFlagValues struct {
	NoDHT     bool     // -no-dht
	Bootstrap []string // -dht-bootstrap, repeatable
	SameIP    bool     // -dht-same-ip
}

// DHTFlags defines -no-dht (with noDHTUsage as its help), -dht-bootstrap
// and -dht-same-ip on fs. The values are filled in by fs.Parse.
func DHTFlags(fs *flag.FlagSet, noDHTUsage string) *DHTFlagValues {
	v := &DHTFlagValues{}
	fs.BoolVar(&v.NoDHT, "no-dht", false, noDHTUsage)
	fs.Var((*bootstrapList)(&v.Bootstrap), "dht-bootstrap",
		"HOST:PORT of a DHT node to join through, instead of the public routers (repeatable)")
	fs.BoolVar(&v.SameIP, "dht-same-ip", false,
		"let the DHT routing table hold several nodes of one IP address (different ports), as in a\n"+
			"classroom DHT of several nodes on one machine; on by itself when every -dht-bootstrap\n"+
			"address is a loopback or private one (127.0.0.1, localhost, 10.x, 192.168.x, …)")
	return v
}

// bootstrapList is the repeatable -dht-bootstrap flag.
type bootstrapList []string

func (l *bootstrapList) String() string     { return strings.Join(*l, ",") }
func (l *bootstrapList) Set(v string) error { *l = append(*l, v); return nil }

// localBootstrap reports whether there are bootstrap addresses and every
// one is on loopback or a private network (RFC 1918, fc00::/7, link-local,
// or the name localhost): a DHT of our own, where several nodes may share
// an IP. Other names are not resolved: they count as public.
func localBootstrap(bootstrap []string) bool {
	if len(bootstrap) == 0 {
		return false
	}
	for _, hostport := range bootstrap {
		host, _, err := net.SplitHostPort(hostport)
		if err != nil {
			return false
		}
		if strings.EqualFold(host, "localhost") {
			continue
		}
		ip, err := netip.ParseAddr(host)
		if err != nil {
			return false
		}
		ip = ip.Unmap()
		if !ip.IsLoopback() && !ip.IsPrivate() && !ip.IsLinkLocalUnicast() {
			return false
		}
	}
	return true
}
