package dht

import (
	"crypto/rand"
	"net/netip"
	"testing"
	"time"
)

func TestTokens(t *testing.T) {
	issuer, err := newTokenIssuer(rand.Reader, t0)
	if err != nil {
		t.Fatal(err)
	}
	alice := netip.MustParseAddr("192.0.2.1")
	mallory := netip.MustParseAddr("192.0.2.66")
	token := issuer.Token(alice, t0)
	if len(token) != tokenLen {
		t.Fatalf("token of %d bytes", len(token))
	}
	if !issuer.Valid(token, alice, t0.Add(time.Minute)) {
		t.Fatal("fresh token rejected")
	}
	if issuer.Valid(token, mallory, t0.Add(time.Minute)) {
		t.Fatal("token accepted from another IP")
	}
	if issuer.Valid(token[:4], alice, t0) || issuer.Valid("", alice, t0) {
		t.Fatal("truncated or empty token accepted")
	}
	// After one rotation the token was made by the previous secret: still
	// valid, and new tokens differ.
	afterOne := t0.Add(TokenRotation + time.Second)
	if !issuer.Valid(token, alice, afterOne) {
		t.Fatal("token from the previous secret rejected")
	}
	if issuer.Token(alice, afterOne) == token {
		t.Fatal("token unchanged after rotation")
	}
	// After two rotations it has expired.
	if issuer.Valid(token, alice, t0.Add(2*TokenRotation+time.Second)) {
		t.Fatal("token accepted after two rotations")
	}
}

func TestTokensExpireWithoutTraffic(t *testing.T) {
	issuer, err := newTokenIssuer(rand.Reader, t0)
	if err != nil {
		t.Fatal(err)
	}
	alice := netip.MustParseAddr("2001:db8::1")
	token := issuer.Token(alice, t0)
	// Nobody asks for a token for an hour: both secrets must be new.
	if issuer.Valid(token, alice, t0.Add(time.Hour)) {
		t.Fatal("token accepted an hour later")
	}
}
