package torrent

import (
	"testing"

	"github.com/swarmscope/swarmscope/engine/wire"
)

func pieceMessage(index uint32, n int) outMessage {
	buf := getBlockBuffer()
	*buf = (*buf)[:n]
	return outMessage{msg: wire.NewPiece(index, 0, *buf), buf: buf}
}

// A piece the limiter has not admitted stays queued, so a cancel can still
// withdraw it; messages before it go out at once.
func TestOutboxTakeStopsAtUnadmittedPiece(t *testing.T) {
	o := newOutbox()
	o.push(outMessage{msg: wire.NewHave(1)})
	o.push(pieceMessage(7, wire.BlockSize))
	o.push(outMessage{msg: wire.NewHave(2)})
	o.push(pieceMessage(8, wire.BlockSize))

	batch, pieceBytes, blocked := o.take(0)
	if len(batch) != 1 || batch[0].msg.ID != wire.Have || pieceBytes != 0 || blocked != wire.BlockSize {
		t.Fatalf("take(0) = %d messages, %d piece bytes, blocked %d; want the have alone, blocked on a %d-byte block", len(batch), pieceBytes, blocked, wire.BlockSize)
	}
	o.recycle(batch)

	if !o.removePiece(7, 0, wire.BlockSize) {
		t.Fatal("the unadmitted piece could not be cancelled")
	}
	batch, pieceBytes, blocked = o.take(wire.BlockSize)
	if len(batch) != 2 || batch[0].msg.ID != wire.Have || batch[1].msg.Index != 8 || pieceBytes != wire.BlockSize || blocked != 0 {
		t.Fatalf("take(one block) after the cancel = %d messages, %d piece bytes, blocked %d; want have 2 and piece 8", len(batch), pieceBytes, blocked)
	}
	releaseBatch(batch)
	o.recycle(batch)
	if batch, _, blocked := o.take(wire.BlockSize); len(batch) != 0 || blocked != 0 {
		t.Fatalf("queue not empty after taking everything: %d messages, blocked %d", len(batch), blocked)
	}
}

// With a budget for one block, a second block stays behind.
func TestOutboxTakeHonoursBudget(t *testing.T) {
	o := newOutbox()
	o.push(pieceMessage(1, wire.BlockSize))
	o.push(pieceMessage(2, 100))
	batch, pieceBytes, blocked := o.take(wire.BlockSize + 99)
	if len(batch) != 1 || pieceBytes != wire.BlockSize || blocked != 100 {
		t.Fatalf("take = %d messages, %d piece bytes, blocked %d; want one block, blocked on the 100-byte one", len(batch), pieceBytes, blocked)
	}
	releaseBatch(batch)
	o.close()
}
