package persist

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"strings"
	"testing"
)

func TestRecordCodecRoundTrip(t *testing.T) {
	want := fullRecord(hashOf(1))
	got, err := decodeRecord(encodeRecord(&want))
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	// The codec leaves InfoHash and MetaInfo to the store, which keeps them elsewhere.
	want.InfoHash, want.MetaInfo = [20]byte{}, nil
	assertSameRecord(t, got, want)
}

func TestRecordCodecRoundTripZeroRecord(t *testing.T) {
	got, err := decodeRecord(encodeRecord(&TorrentRecord{}))
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	assertSameRecord(t, got, TorrentRecord{})
}

// reseal replaces the checksum of an encoded record after a test edited its body.
func reseal(body []byte) []byte {
	return binary.BigEndian.AppendUint32(body, crc32.Checksum(body, crcTable))
}

func TestDecodeRefusesFutureVersion(t *testing.T) {
	rec := fullRecord(hashOf(1))
	enc := encodeRecord(&rec)
	body := append(binary.AppendUvarint(nil, recordFormatVersion+1), enc[1:len(enc)-4]...)
	_, err := decodeRecord(reseal(body))
	var newer *NewerVersionError
	if !errors.As(err, &newer) {
		t.Fatalf("decode of version %d: got %v, want *NewerVersionError", recordFormatVersion+1, err)
	}
	if newer.Found != recordFormatVersion+1 || newer.Known != recordFormatVersion {
		t.Errorf("NewerVersionError = %+v", newer)
	}
	if !strings.Contains(err.Error(), "newer Swarmscope") {
		t.Errorf("message %q does not tell the user a newer Swarmscope wrote it", err)
	}
}

func TestDecodeRefusesVersionZero(t *testing.T) {
	if _, err := decodeRecord(reseal([]byte{0})); err == nil {
		t.Fatal("decode of version 0 succeeded")
	}
}

func TestDecodeDetectsDamage(t *testing.T) {
	rec := fullRecord(hashOf(1))
	enc := encodeRecord(&rec)
	enc[len(enc)/2] ^= 0x40
	if _, err := decodeRecord(enc); err == nil || !strings.Contains(err.Error(), "checksum") {
		t.Fatalf("decode of a flipped bit: got %v, want a checksum error", err)
	}
}

// Every truncation, even with a valid checksum over what is left, must fail cleanly rather than
// panic or return a half-filled record.
func TestDecodeRejectsEveryTruncation(t *testing.T) {
	rec := fullRecord(hashOf(1))
	enc := encodeRecord(&rec)
	body := enc[:len(enc)-4]
	for n := 1; n < len(body); n++ {
		_, err := decodeRecord(reseal(body[:n:n]))
		if err == nil {
			t.Fatalf("decode of the first %d of %d body bytes succeeded", n, len(body))
		}
	}
	if _, err := decodeRecord(enc[:3]); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("decode of 3 bytes: got %v, want io.ErrUnexpectedEOF", err)
	}
}

func TestDecodeRejectsTrailingBytes(t *testing.T) {
	rec := fullRecord(hashOf(1))
	enc := encodeRecord(&rec)
	body := append(enc[:len(enc)-4:len(enc)-4], 0)
	if _, err := decodeRecord(reseal(body)); err == nil || !strings.Contains(err.Error(), "unexpected bytes") {
		t.Fatalf("decode with a trailing byte: got %v", err)
	}
}

func TestDecodeRejectsHugeCounts(t *testing.T) {
	// version 1, then a magnet "string" claiming 2^60 bytes.
	body := binary.AppendUvarint([]byte{recordFormatVersion}, 1<<60)
	if _, err := decodeRecord(reseal(body)); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("decode of a 2^60-byte string: got %v, want io.ErrUnexpectedEOF", err)
	}
}

// TestDecodeReadsVersion1Records: records written before per-torrent rate limits existed
// (format 1: no limit fields) still decode, with no limits.
func TestDecodeReadsVersion1Records(t *testing.T) {
	want := fullRecord([20]byte{9})
	v2 := encodeRecord(&want)
	// A version 1 record is the version 2 body without its last two varints.
	body := v2[:len(v2)-4]
	tail := binary.AppendVarint(nil, want.UploadLimit)
	tail = binary.AppendVarint(tail, want.DownloadLimit)
	if !bytes.HasSuffix(body, tail) {
		t.Fatal("version 2 layout changed: limits are not the last fields")
	}
	v1 := append([]byte(nil), body[:len(body)-len(tail)]...)
	v1[0] = 1
	got, err := decodeRecord(reseal(v1))
	if err != nil {
		t.Fatalf("decoding a version 1 record: %v", err)
	}
	if got.UploadLimit != 0 || got.DownloadLimit != 0 {
		t.Fatalf("version 1 record decoded with limits %d/%d, want none", got.UploadLimit, got.DownloadLimit)
	}
	if got.SavePath != want.SavePath || got.Error != want.Error || got.NumPieces != want.NumPieces {
		t.Fatalf("version 1 record decoded as %+v", got)
	}
}
