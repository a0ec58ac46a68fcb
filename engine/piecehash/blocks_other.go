//go:build !amd64

package piecehash

var haveBlocks16 = false

func blocks16(h *[5][Lanes]uint32, p *[Lanes]*byte, blocks int) {
	panic("piecehash: no vector SHA-1 on this architecture")
}
