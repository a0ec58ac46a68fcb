package wire

import (
	"crypto/rand"
	"fmt"
	"strconv"
	"strings"
)

// PeerIDPrefix is our Azureus-style client tag: Swarmscope 0.1 (BEP 20).
const PeerIDPrefix = "-SS0001-"

// ClientVersion is what we send as "v" in the extension handshake.
const ClientVersion = "Swarmscope 0.1"

// NewPeerID returns "-SS0001-" followed by 12 random printable bytes.
func NewPeerID() [20]byte {
	const alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	var id [20]byte
	copy(id[:], PeerIDPrefix)
	var r [12]byte
	if _, err := rand.Read(r[:]); err != nil {
		panic("wire: crypto/rand failed: " + err.Error()) // documented never to fail
	}
	for i, b := range r {
		id[len(PeerIDPrefix)+i] = alphabet[int(b)%len(alphabet)]
	}
	return id
}

// azureusClients maps the two letters of "-XX1234-" peer IDs to client names.
var azureusClients = map[string]string{
	"AG": "Ares", "A~": "Ares", "AR": "Arctic", "AT": "Artemis", "AX": "BitPump",
	"AZ": "Vuze", "BB": "BitBuddy", "BC": "BitComet", "BF": "Bitflu", "BI": "BiglyBT",
	"BT": "BitTorrent", "BW": "BitWombat", "CD": "Enhanced CTorrent", "DE": "Deluge",
	"EB": "EBit", "FD": "Free Download Manager", "FG": "FlashGet", "FW": "FrostWire",
	"FX": "Freebox BitTorrent", "GT": "anacrolix/torrent", "HL": "Halite", "KT": "KTorrent",
	"LT": "libtorrent (Rasterbar)", "lt": "libTorrent (rakshasa)", "LW": "LimeWire",
	"MG": "MediaGet", "MO": "MonoTorrent", "PI": "PicoTorrent", "qB": "qBittorrent",
	"RN": "rain", "RT": "Retriever", "SD": "Thunder", "SS": "Swarmscope", "ST": "SymTorrent",
	"TL": "Tribler", "TR": "Transmission", "TT": "TuoTu", "UM": "µTorrent for Mac",
	"UT": "µTorrent", "UW": "µTorrent Web", "WD": "WebTorrent Desktop", "WW": "WebTorrent",
	"XL": "Xunlei", "XX": "Xtorrent", "ZT": "ZipTorrent",
}

// shadowClients maps the first letter of Shadow-style IDs ("S58B-----").
var shadowClients = map[byte]string{
	'A': "ABC", 'O': "Osprey Permaseed", 'Q': "BTQueue", 'R': "Tribler",
	'S': "Shadow", 'T': "BitTornado", 'U': "UPnP NAT Bit Torrent",
}

// ClientName names the client that made a peer ID, for display: Azureus
// style ("-qB4520-" is "qBittorrent 4.5.2"), aria2 ("A2-1-36-0-"), Mainline
// ("M7-1-0--"), Shadow style ("S58B-----"). Anything else is shown in a
// printable form of its first bytes.
func ClientName(id [20]byte) string {
	s := string(id[:])
	if id[0] == '-' && id[7] == '-' && isAlnumOrTilde(id[1]) && isAlnumOrTilde(id[2]) {
		code, ver := s[1:3], s[3:7]
		name, ok := azureusClients[code]
		if !ok {
			name = "unknown client " + code
		}
		if v := azureusVersion(code, ver); v != "" {
			return name + " " + v
		}
		return name
	}
	if strings.HasPrefix(s, "A2-") {
		if v, ok := dashVersion(s[3:]); ok {
			return "aria2 " + v
		}
	}
	if id[0] == 'M' || id[0] == 'Q' {
		if v, ok := dashVersion(s[1:]); ok {
			if id[0] == 'M' {
				return "Mainline " + v
			}
			return "Queen Bee " + v
		}
	}
	if name, ok := shadowClients[id[0]]; ok {
		if v, ok := shadowVersion(s[1:]); ok {
			return name + " " + v
		}
	}
	return printable(id[:])
}

func isAlnumOrTilde(b byte) bool {
	return b == '~' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
}

// versionDigit decodes one version character: 0-9, then A-Z for 10-35.
func versionDigit(c byte) (int, bool) {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0'), true
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 10, true
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 36, true
	}
	return 0, false
}

// azureusVersion decodes the four version characters, following each
// client's habit where it differs from the common "one character each".
func azureusVersion(code, v string) string {
	allDigits := true
	for i := 0; i < 4; i++ {
		if v[i] < '0' || v[i] > '9' {
			allDigits = false
		}
	}
	switch code {
	case "TR":
		// Transmission: "-TR2940-" is 2.94, "-TR3000-" 3.00; from 4.0 on
		// "-TR4050-" is 4.0.5. A trailing Z or X marks a development build.
		if v[0] >= '0' && v[0] <= '9' && v[1] >= '0' && v[1] <= '9' && v[2] >= '0' && v[2] <= '9' {
			suffix := ""
			if v[3] == 'Z' || v[3] == 'X' {
				suffix = "+"
			} else if v[3] == 'B' || v[3] == 'b' {
				suffix = " beta"
			}
			if v[0] >= '4' {
				return fmt.Sprintf("%c.%c.%c%s", v[0], v[1], v[2], suffix)
			}
			return fmt.Sprintf("%c.%c%c%s", v[0], v[1], v[2], suffix)
		}
	case "SS":
		// Ours: two two-digit numbers, "-SS0001-" is 0.1.
		if allDigits {
			major, _ := strconv.Atoi(v[:2])
			minor, _ := strconv.Atoi(v[2:])
			return fmt.Sprintf("%d.%d", major, minor)
		}
	case "UT", "UM", "UW":
		// µTorrent: three digits then a build letter ("-UT355W-" is 3.5.5).
		if allDigits || v[3] >= 'A' {
			return fmt.Sprintf("%c.%c.%c", v[0], v[1], v[2])
		}
	}
	var parts []string
	for i := 0; i < 4; i++ {
		d, ok := versionDigit(v[i])
		if !ok {
			return ""
		}
		if i == 3 && d == 0 {
			break
		}
		parts = append(parts, strconv.Itoa(d))
	}
	return strings.Join(parts, ".")
}

// dashVersion decodes "1-36-0-" style versions: up to three numbers, each
// followed by '-'.
func dashVersion(s string) (string, bool) {
	var parts []string
	rest := s
	for len(parts) < 3 {
		i := strings.IndexByte(rest, '-')
		if i <= 0 || i > 3 {
			break
		}
		n, err := strconv.Atoi(rest[:i])
		if err != nil {
			return "", false
		}
		parts = append(parts, strconv.Itoa(n))
		rest = rest[i+1:]
	}
	if len(parts) < 2 {
		return "", false
	}
	return strings.Join(parts, "."), true
}

// shadowVersion decodes "58B--" style versions: characters up to the first
// '-', each a digit in the Shadow alphabet; at least "--" must follow.
func shadowVersion(s string) (string, bool) {
	i := strings.Index(s, "--")
	if i < 1 || i > 5 {
		return "", false
	}
	var parts []string
	for j := 0; j < i; j++ {
		d, ok := shadowDigit(s[j])
		if !ok {
			return "", false
		}
		parts = append(parts, strconv.Itoa(d))
	}
	return strings.Join(parts, "."), true
}

func shadowDigit(c byte) (int, bool) {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0'), true
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 10, true
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 36, true
	case c == '.':
		return 62, true
	}
	return 0, false
}

// printable shows an unknown peer ID: printable ASCII kept, other bytes as
// '.', trailing filler trimmed.
func printable(id []byte) string {
	var b strings.Builder
	for _, c := range id {
		if c >= 0x20 && c < 0x7f {
			b.WriteByte(c)
		} else {
			b.WriteByte('.')
		}
	}
	s := strings.TrimRight(b.String(), ". ")
	if s == "" {
		return "unknown client"
	}
	return "unknown client " + strconv.Quote(s)
}
