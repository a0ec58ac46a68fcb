package dht

import (
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"io"
	"net/netip"
	"time"
)

// TokenRotation is how often the token secret changes. Tokens made with
// the current or the previous secret are accepted, so a token stays valid
// for between one and two rotations (5 to 10 minutes).
const TokenRotation = 5 * time.Minute

// tokenLen is the length of the tokens we hand out: a truncated HMAC is
// plenty to make guessing impractical, and keeps responses small.
const tokenLen = 8

// tokenIssuer makes and checks the opaque tokens of get_peers /
// announce_peer. A token is an HMAC of the querier's IP address under a
// secret that rotates every TokenRotation, so only a node that really
// receives packets at that IP can announce it, and nothing is stored per
// querier. It is pure: the caller passes the time in.
type tokenIssuer struct {
	random    io.Reader // source of secrets, crypto/rand in production
	current   [16]byte
	previous  [16]byte
	rotatedAt time.Time
}

func newTokenIssuer(random io.Reader, now time.Time) (*tokenIssuer, error) {
	t := &tokenIssuer{random: random, rotatedAt: now}
	if _, err := io.ReadFull(random, t.current[:]); err != nil {
		return nil, fmt.Errorf("dht: reading token secret: %w", err)
	}
	if _, err := io.ReadFull(random, t.previous[:]); err != nil {
		return nil, fmt.Errorf("dht: reading token secret: %w", err)
	}
	return t, nil
}

// rotate moves to a new secret for every TokenRotation elapsed since the
// last rotation. After two or more periods both secrets are fresh, so old
// tokens expire even when nobody asked for a token in between.
func (t *tokenIssuer) rotate(now time.Time) {
	periods := now.Sub(t.rotatedAt) / TokenRotation
	if periods <= 0 {
		return
	}
	for range min(periods, 2) {
		t.previous = t.current
		// crypto/rand never fails; a reader that runs dry would leave
		// the secret as it was, which only delays its expiry.
		_, _ = io.ReadFull(t.random, t.current[:])
	}
	t.rotatedAt = t.rotatedAt.Add(periods * TokenRotation)
}

func tokenFor(secret [16]byte, ip netip.Addr) []byte {
	mac := hmac.New(sha256.New, secret[:])
	mac.Write(ip.Unmap().AsSlice())
	return mac.Sum(nil)[:tokenLen]
}

// Token returns the token for a querier at ip.
func (t *tokenIssuer) Token(ip netip.Addr, now time.Time) string {
	t.rotate(now)
	return string(tokenFor(t.current, ip))
}

// Valid reports whether token was issued to ip by the current or the
// previous secret.
func (t *tokenIssuer) Valid(token string, ip netip.Addr, now time.Time) bool {
	t.rotate(now)
	if len(token) != tokenLen {
		return false
	}
	return hmac.Equal([]byte(token), tokenFor(t.current, ip)) ||
		hmac.Equal([]byte(token), tokenFor(t.previous, ip))
}
