package metadata

import (
	"bytes"
	"strings"
	"testing"
)

func TestServerAnswersEveryPiece(t *testing.T) {
	info := testInfo(2*PieceSize + 100)
	s, err := NewServer(info)
	if err != nil {
		t.Fatal(err)
	}
	if s.Size() != len(info) {
		t.Fatalf("Size = %d, want %d", s.Size(), len(info))
	}
	var joined []byte
	for piece := range NumPieces(len(info)) {
		// Through the wire and back, as the loop would send it.
		got, err := DecodeMessage(s.Answer(piece).Encode())
		if err != nil {
			t.Fatalf("piece %d: answer does not decode: %v", piece, err)
		}
		if got.Type != Data || got.Piece != piece || got.TotalSize != len(info) {
			t.Fatalf("piece %d: answer %v piece %d total %d", piece, got.Type, got.Piece, got.TotalSize)
		}
		joined = append(joined, got.Data...)
	}
	if !bytes.Equal(joined, info) {
		t.Fatal("the pieces served do not add up to the info dictionary")
	}
}

func TestServerRejectsOutOfRange(t *testing.T) {
	s, err := NewServer(testInfo(PieceSize)) // exactly one piece
	if err != nil {
		t.Fatal(err)
	}
	for _, piece := range []int{1, 2, maxPieces - 1} {
		if got := s.Answer(piece); got.Type != Reject || got.Piece != piece || got.Data != nil {
			t.Errorf("Answer(%d) = %v piece %d with %d bytes, want a reject", piece, got.Type, got.Piece, len(got.Data))
		}
	}
	if got := s.Answer(0); got.Type != Data || len(got.Data) != PieceSize {
		t.Errorf("Answer(0) = %v with %d bytes, want the whole piece", got.Type, len(got.Data))
	}
}

func TestNewServerRefusesBadSizes(t *testing.T) {
	for _, tc := range []struct {
		size   int
		errHas string
	}{
		{0, "empty"},
		{MaxSize + 1, "above the"},
	} {
		_, err := NewServer(make([]byte, tc.size))
		if err == nil || !strings.Contains(err.Error(), tc.errHas) {
			t.Errorf("NewServer(%d bytes) error %v, want one containing %q", tc.size, err, tc.errHas)
		}
	}
}
