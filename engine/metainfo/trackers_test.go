package metainfo

import (
	"bytes"
	"reflect"
	"testing"
)

func TestMergeTiers(t *testing.T) {
	base := [][]string{{"http://a/announce"}, {"udp://b:1/announce"}}
	extra := [][]string{{"http://a/announce", "http://c/announce"}, {}, {"udp://d:2/announce", ""}}
	got := MergeTiers(base, extra)
	want := [][]string{{"http://a/announce", "http://c/announce"}, {"udp://b:1/announce"}, {"udp://d:2/announce"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("MergeTiers = %q, want %q", got, want)
	}
	if len(base[0]) != 1 {
		t.Fatal("MergeTiers modified its input")
	}
}

func TestWithTrackersKeepsInfoAndHash(t *testing.T) {
	// Unsorted keys and an unknown field in info: a re-encoding of info
	// would change the hash, so this proves the info bytes are kept.
	info := "d6:lengthi5e4:name1:x12:piece lengthi16384e6:pieces20:aaaaaaaaaaaaaaaaaaaa3:zzzi1e1:ai2ee"
	raw := []byte("d8:announce9:http://a/7:comment2:hi4:info" + info + "e")
	m, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	tiers := MergeTiers(m.AnnounceList, [][]string{{"http://b/"}, {"udp://c:1/"}})
	out, err := WithTrackers(m, tiers)
	if err != nil {
		t.Fatal(err)
	}
	if out.InfoHash != m.InfoHash {
		t.Fatalf("info hash changed: %s → %s", m.InfoHash, out.InfoHash)
	}
	if !bytes.Contains(out.Raw, []byte("4:info"+info)) {
		t.Fatal("info dictionary bytes were not kept verbatim")
	}
	if out.Comment != "hi" || out.Announce != "http://a/" {
		t.Fatalf("other keys changed: comment %q announce %q", out.Comment, out.Announce)
	}
	want := [][]string{{"http://a/", "http://b/"}, {"udp://c:1/"}}
	if !reflect.DeepEqual(out.AnnounceList, want) {
		t.Fatalf("announce-list = %q, want %q", out.AnnounceList, want)
	}
}
