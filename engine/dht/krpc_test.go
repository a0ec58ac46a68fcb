package dht

import (
	"bytes"
	"strings"
	"testing"
)

func TestKRPCRoundTrips(t *testing.T) {
	id := strings.Repeat("a", 20)
	port := 6881
	cases := map[string]*message{
		"ping":          {T: "aa", Y: "q", Q: methodPing, A: &queryArgs{ID: id}},
		"find_node":     {T: "ab", Y: "q", Q: methodFindNode, A: &queryArgs{ID: id, Target: strings.Repeat("b", 20), Want: []string{"n4", "n6"}}},
		"get_peers":     {T: "ac", Y: "q", Q: methodGetPeers, A: &queryArgs{ID: id, InfoHash: strings.Repeat("c", 20)}},
		"announce_peer": {T: "ad", Y: "q", Q: methodAnnouncePeer, A: &queryArgs{ID: id, InfoHash: strings.Repeat("c", 20), Port: &port, ImpliedPort: 1, Token: "tok"}},
		"response":      {T: "ae", Y: "r", R: &returnArgs{ID: id, Nodes: strings.Repeat("n", 26), Token: "tk", Values: []string{"\x7f\x00\x00\x01\x1a\xe1"}}},
		"error":         {T: "af", Y: "e", E: &krpcError{Code: errCodeProtocol, Message: "bad token"}},
	}
	for name, m := range cases {
		t.Run(name, func(t *testing.T) {
			b, err := encodeMessage(m)
			if err != nil {
				t.Fatal(err)
			}
			got, err := decodeMessage(b)
			if err != nil {
				t.Fatalf("decoding %q: %v", b, err)
			}
			again, err := encodeMessage(got)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(b, again) {
				t.Fatalf("round trip changed the message:\n %q\n %q", b, again)
			}
			if got.V != clientVersion {
				t.Fatalf("v = %q, want %q", got.V, clientVersion)
			}
		})
	}
}

// TestKRPCDecodesBEP5Example decodes the examples of BEP 5 byte for byte.
func TestKRPCDecodesBEP5Example(t *testing.T) {
	m, err := decodeMessage([]byte("d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe"))
	if err != nil {
		t.Fatal(err)
	}
	if m.Q != "ping" || m.T != "aa" || m.A.ID != "abcdefghij0123456789" {
		t.Fatalf("decoded %+v", m)
	}
	m, err = decodeMessage([]byte("d1:eli201e23:A Generic Error Ocurrede1:t2:aa1:y1:ee"))
	if err != nil {
		t.Fatal(err)
	}
	if m.E.Code != 201 || m.E.Message != "A Generic Error Ocurred" {
		t.Fatalf("decoded error %+v", m.E)
	}
	m, err = decodeMessage([]byte("d1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz1234564:porti6881e5:token8:aoeusnthe1:q13:announce_peer1:t2:aa1:y1:qe"))
	if err != nil {
		t.Fatal(err)
	}
	if m.A.Port == nil || *m.A.Port != 6881 || m.A.Token != "aoeusnth" {
		t.Fatalf("decoded announce %+v", m.A)
	}
}

func TestKRPCRejectsMalformed(t *testing.T) {
	cases := map[string]string{
		"empty":            "",
		"not a dict":       "li1ee",
		"truncated":        "d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:q",
		"trailing bytes":   "d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qeXX",
		"no transaction":   "d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:y1:qe",
		"unknown kind":     "d1:t2:aa1:y1:xe",
		"query no method":  "d1:ad2:id20:abcdefghij0123456789e1:t2:aa1:y1:qe",
		"query no args":    "d1:q4:ping1:t2:aa1:y1:qe",
		"short id":         "d1:ad2:id3:abce1:q4:ping1:t2:aa1:y1:qe",
		"long id":          "d1:ad2:id21:abcdefghij0123456789Xe1:q4:ping1:t2:aa1:y1:qe",
		"response no r":    "d1:t2:aa1:y1:re",
		"response bad id":  "d1:rd2:id2:abe1:t2:aa1:y1:re",
		"error no e":       "d1:t2:aa1:y1:ee",
		"error not list":   "d1:ei201e1:t2:aa1:y1:ee",
		"error short list": "d1:eli201ee1:t2:aa1:y1:ee",
		"id wrong type":    "d1:ad2:idi5ee1:q4:ping1:t2:aa1:y1:qe",
		"huge string":      "d1:t999999999:aa1:y1:qe",
		"values not list":  "d1:rd2:id20:abcdefghij01234567896:valuesi3ee1:t2:aa1:y1:re",
		"deep nesting":     "d1:a" + strings.Repeat("l", 100) + strings.Repeat("e", 100) + "1:t2:aa1:y1:qe",
		"oversized":        "d1:t2:aa1:y1:q1:x5000:" + strings.Repeat("x", 5000) + "e",
		"long transaction": "d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t65:" + strings.Repeat("t", 65) + "1:y1:qe",
	}
	for name, packet := range cases {
		t.Run(name, func(t *testing.T) {
			if m, err := decodeMessage([]byte(packet)); err == nil {
				t.Fatalf("decoded %q as %+v, want an error", packet, m)
			}
		})
	}
}
