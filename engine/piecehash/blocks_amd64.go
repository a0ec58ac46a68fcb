package piecehash

import "golang.org/x/sys/cpu"

//go:generate go run gen_asm.go

// haveBlocks16 needs AVX-512 F (the 512-bit integer operations) and BW
// (VPSHUFB on 512-bit registers, for the byte swap); x/sys/cpu also checks
// that the OS saves the registers.
var haveBlocks16 = cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW

// blocks16 runs SHA-1's compression over blocks 64-byte blocks of each
// lane, lane i starting at p[i], updating the transposed state h.
//
//go:noescape
func blocks16(h *[5][Lanes]uint32, p *[Lanes]*byte, blocks int)
