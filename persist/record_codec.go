package persist

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"time"
)

// recordFormatVersion is the newest torrent record layout this build writes and reads. Bump it
// when the layout changes, and keep decoding the older versions.
//
// Layout of version 1, every integer a (zig-zag for signed) varint:
//
//	version
//	magnet, savePath                                  (length-prefixed strings)
//	added, completed                                  (times, see putTime)
//	flags                                             (bit 0: paused)
//	queuePosition
//	filePriorities                                    (length-prefixed bytes, one int8 each)
//	numPieces, bitfield                               (bitfield length-prefixed)
//	uploaded, downloaded, wasted, seedingTime (ns)
//	fileStamp count, then per file: size, modTime
//	label, error                                      (length-prefixed strings)
//	CRC-32C of everything above                       (4 bytes, big-endian)
//
// Version 2 adds, after error: uploadLimit, downloadLimit (bytes/s, 0 = none). A version 1
// record decodes with both limits 0.
const recordFormatVersion = 2

const flagPaused = 1 << 0

// crcTable is Castagnoli: hardware-accelerated on common CPUs, so checking every record is cheap.
var crcTable = crc32.MakeTable(crc32.Castagnoli)

// encodeRecord encodes everything but MetaInfo, which is stored in its own bucket.
func encodeRecord(r *TorrentRecord) []byte {
	b := make([]byte, 0, 128+len(r.Magnet)+len(r.SavePath)+len(r.FilePriorities)+len(r.Bitfield)+len(r.FileStamps)*16)
	b = binary.AppendUvarint(b, recordFormatVersion)
	b = putString(b, r.Magnet)
	b = putString(b, r.SavePath)
	b = putTime(b, r.Added)
	b = putTime(b, r.Completed)
	var flags uint64
	if r.Paused {
		flags |= flagPaused
	}
	b = binary.AppendUvarint(b, flags)
	b = binary.AppendVarint(b, int64(r.QueuePosition))
	b = binary.AppendUvarint(b, uint64(len(r.FilePriorities)))
	for _, p := range r.FilePriorities {
		b = append(b, byte(p))
	}
	b = binary.AppendUvarint(b, uint64(r.NumPieces))
	b = putBytes(b, r.Bitfield)
	b = binary.AppendVarint(b, r.Uploaded)
	b = binary.AppendVarint(b, r.Downloaded)
	b = binary.AppendVarint(b, r.Wasted)
	b = binary.AppendVarint(b, int64(r.SeedingTime))
	b = binary.AppendUvarint(b, uint64(len(r.FileStamps)))
	for _, s := range r.FileStamps {
		b = binary.AppendVarint(b, s.Size)
		b = putTime(b, s.ModTime)
	}
	b = putString(b, r.Label)
	b = putString(b, r.Error)
	b = binary.AppendVarint(b, r.UploadLimit)
	b = binary.AppendVarint(b, r.DownloadLimit)
	return binary.BigEndian.AppendUint32(b, crc32.Checksum(b, crcTable))
}

// decodeRecord is the inverse of encodeRecord. It copies everything out of data, which may be
// bbolt memory that is only valid inside a transaction. InfoHash and MetaInfo are left for the
// caller to fill.
func decodeRecord(data []byte) (TorrentRecord, error) {
	var r TorrentRecord
	if len(data) < 5 {
		return r, fmt.Errorf("record is %d bytes, too short to be one: %w", len(data), io.ErrUnexpectedEOF)
	}
	body, sum := data[:len(data)-4], binary.BigEndian.Uint32(data[len(data)-4:])
	if crc32.Checksum(body, crcTable) != sum {
		return r, errors.New("checksum mismatch: the record is damaged")
	}
	d := decoder{buf: body}
	version := d.uvarint()
	switch v := version; {
	case d.err != nil:
		return r, fmt.Errorf("format version: %w", d.err)
	case v == 0:
		return r, errors.New("format version 0 does not exist")
	case v > recordFormatVersion:
		return r, &NewerVersionError{What: "record format", Found: v, Known: recordFormatVersion}
	}
	r.Magnet = d.string()
	r.SavePath = d.string()
	r.Added = d.time()
	r.Completed = d.time()
	r.Paused = d.uvarint()&flagPaused != 0
	r.QueuePosition = int(d.varint())
	if prios := d.bytes(); len(prios) > 0 {
		r.FilePriorities = make([]int8, len(prios))
		for i, p := range prios {
			r.FilePriorities[i] = int8(p)
		}
	}
	r.NumPieces = d.count(0)
	r.Bitfield = d.bytes()
	r.Uploaded = d.varint()
	r.Downloaded = d.varint()
	r.Wasted = d.varint()
	r.SeedingTime = time.Duration(d.varint())
	// Each stamp takes at least two bytes; bounding the count keeps a damaged length from
	// allocating gigabytes.
	if n := d.count(2); n > 0 {
		r.FileStamps = make([]FileStamp, n)
		for i := range r.FileStamps {
			r.FileStamps[i] = FileStamp{Size: d.varint(), ModTime: d.time()}
		}
	}
	r.Label = d.string()
	r.Error = d.string()
	if version >= 2 {
		r.UploadLimit = d.varint()
		r.DownloadLimit = d.varint()
		if r.UploadLimit < 0 || r.DownloadLimit < 0 {
			d.err = errors.Join(d.err, fmt.Errorf("negative rate limit (up %d, down %d)", r.UploadLimit, r.DownloadLimit))
		}
	}
	if d.err == nil && len(d.buf) != 0 {
		d.err = fmt.Errorf("%d unexpected bytes after the last field", len(d.buf))
	}
	if d.err != nil {
		return TorrentRecord{}, d.err
	}
	if err := checkBitfield(r.Bitfield, r.NumPieces); err != nil {
		return TorrentRecord{}, err
	}
	return r, nil
}

func putString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func putBytes(b []byte, p []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(p)))
	return append(b, p...)
}

// putTime writes 0 for the zero time, else 1, Unix seconds and nanoseconds. The location is not
// kept: times come back in local time, equal (time.Time.Equal) to what was stored.
func putTime(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return binary.AppendUvarint(b, 0)
	}
	b = binary.AppendUvarint(b, 1)
	b = binary.AppendVarint(b, t.Unix())
	return binary.AppendUvarint(b, uint64(t.Nanosecond()))
}

// decoder reads the fields putString, putBytes, putTime and the varint appenders wrote. The first
// error sticks: later reads return zero values, so decodeRecord checks once at the end.
type decoder struct {
	buf []byte
	err error
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.buf)
	if n <= 0 {
		d.fail(n)
		return 0
	}
	d.buf = d.buf[n:]
	return v
}

func (d *decoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.buf)
	if n <= 0 {
		d.fail(n)
		return 0
	}
	d.buf = d.buf[n:]
	return v
}

func (d *decoder) fail(n int) {
	if n == 0 {
		d.err = io.ErrUnexpectedEOF
	} else {
		d.err = errors.New("varint overflows 64 bits")
	}
}

// count reads a length and checks that many items of at least minSize bytes could still follow.
func (d *decoder) count(minSize int) int {
	n := d.uvarint()
	if d.err == nil && minSize > 0 && n > uint64(len(d.buf)/minSize) {
		d.err = fmt.Errorf("count %d cannot fit in the %d bytes left: %w", n, len(d.buf), io.ErrUnexpectedEOF)
		return 0
	}
	if d.err == nil && n > math.MaxInt32 {
		d.err = fmt.Errorf("count %d is implausibly large", n)
		return 0
	}
	return int(n)
}

func (d *decoder) take() []byte {
	n := d.count(1)
	if d.err != nil {
		return nil
	}
	p := d.buf[:n]
	d.buf = d.buf[n:]
	return p
}

func (d *decoder) bytes() []byte {
	if p := d.take(); len(p) > 0 {
		return append([]byte(nil), p...)
	}
	return nil
}

func (d *decoder) string() string { return string(d.take()) }

func (d *decoder) time() time.Time {
	switch d.uvarint() {
	case 0:
		return time.Time{}
	case 1:
		sec := d.varint()
		nsec := d.uvarint()
		if d.err == nil && nsec >= 1e9 {
			d.err = fmt.Errorf("time has %d nanoseconds, more than a second", nsec)
		}
		if d.err != nil {
			return time.Time{}
		}
		return time.Unix(sec, int64(nsec))
	default:
		if d.err == nil {
			d.err = errors.New("time field has an unknown tag")
		}
		return time.Time{}
	}
}
