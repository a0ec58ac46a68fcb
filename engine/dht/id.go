package dht

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"math/bits"
)

// IDLen is the length of node ids and info hashes in bytes (160 bits).
const IDLen = 20

// IDBits is the number of bits in an ID.
const IDBits = IDLen * 8

// ID is a node id or a lookup target (an info hash is used as is).
type ID [IDLen]byte

// RandomID returns an id drawn from crypto/rand.
func RandomID() ID {
	var id ID
	_, _ = rand.Read(id[:]) // crypto/rand.Read never fails on supported platforms
	return id
}

// IDFromBytes converts a 20-byte slice into an ID.
func IDFromBytes(b []byte) (ID, error) {
	var id ID
	if len(b) != IDLen {
		return id, fmt.Errorf("dht: node id is %d bytes, want %d", len(b), IDLen)
	}
	copy(id[:], b)
	return id, nil
}

// String returns the id in hex.
func (id ID) String() string { return hex.EncodeToString(id[:]) }

// Xor returns the Kademlia distance between id and other.
func (id ID) Xor(other ID) ID {
	var d ID
	for i := range id {
		d[i] = id[i] ^ other[i]
	}
	return d
}

// CommonPrefixLen returns how many leading bits id and other share (160
// when they are equal). The longer the common prefix, the closer the ids.
func (id ID) CommonPrefixLen(other ID) int {
	for i := range id {
		if x := id[i] ^ other[i]; x != 0 {
			return i*8 + bits.LeadingZeros8(x)
		}
	}
	return IDBits
}

// Bit returns bit i (0 = most significant) of the id.
func (id ID) Bit(i int) int {
	return int(id[i/8]>>(7-uint(i%8))) & 1
}

// closer reports whether a is closer to target than b.
func closer(target, a, b ID) bool {
	for i := range target {
		da, db := a[i]^target[i], b[i]^target[i]
		if da != db {
			return da < db
		}
	}
	return false
}

// randomIDWithPrefix returns a random id that shares its first prefixBits
// bits with prefix and, when flip is true, differs from it in the next bit.
// Bucket refreshes use it to look up a random id inside a bucket's range.
func randomIDWithPrefix(prefix ID, prefixBits int, flip bool) ID {
	id := RandomID()
	for i := 0; i < prefixBits && i < IDBits; i++ {
		setBit(&id, i, prefix.Bit(i))
	}
	if flip && prefixBits < IDBits {
		setBit(&id, prefixBits, 1-prefix.Bit(prefixBits))
	}
	return id
}

func setBit(id *ID, i, v int) {
	mask := byte(1) << (7 - uint(i%8))
	if v == 1 {
		id[i/8] |= mask
	} else {
		id[i/8] &^= mask
	}
}
