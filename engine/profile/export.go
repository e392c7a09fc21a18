package profile

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/nookchat/nook/engine/internal/diskspace"
	"github.com/nookchat/nook/engine/store"
)

// Export file format (version 1):
//
//	off len
//	  0   8  magic "NOOKEXPT"
//	  8   2  format version = 1
//	 10   4  t    ┐
//	 14   4  m    │ Argon2id parameters for the export password
//	 18   1  p    ┘
//	 19  32  salt (random)
//	 51  32  HMAC-SHA256(macKey, bytes 0..50)
//	 83      payload: STREAM (stream.go) under streamKey
//
//	ikm       = Argon2id(export password, salt, t, m, p, 32)
//	macKey    = HKDF-SHA256(ikm, info "nook export v1 header")
//	streamKey = HKDF-SHA256(ikm, info "nook export v1 payload")
//
// The payload plaintext is a version byte (1), the profile's creation time
// (8 bytes, Unix seconds) and the store's backup (store.Backup), a consistent
// snapshot of the database. The master key is not exported: Import loads the
// backup into a new database under a new master key and a new password.

const (
	exportMagic      = "NOOKEXPT"
	exportVersion    = 1
	exportHeaderSize = 83
	payloadVersion   = 1
)

// ErrNotExport is returned by Import for a file that is not a Nook export.
var ErrNotExport = errors.New("not a nook export file")

type exportHeader struct {
	params Params
	salt   [saltSize]byte
	mac    [32]byte
}

func (h *exportHeader) marshal() []byte {
	b := make([]byte, 0, exportHeaderSize)
	b = append(b, exportMagic...)
	b = binary.BigEndian.AppendUint16(b, exportVersion)
	b = binary.BigEndian.AppendUint32(b, h.params.Time)
	b = binary.BigEndian.AppendUint32(b, h.params.MemoryKiB)
	b = append(b, h.params.Threads)
	b = append(b, h.salt[:]...)
	return append(b, h.mac[:]...)
}

// parseExportHeader decodes the first exportHeaderSize bytes (or fewer, if
// that is all the file has) of an export file.
func parseExportHeader(b []byte) (*exportHeader, error) {
	if len(b) < 10 {
		if len(b) < len(exportMagic) && !bytes.HasPrefix([]byte(exportMagic), b) {
			return nil, ErrNotExport
		}
		return nil, ErrExportTruncated
	}
	if string(b[:8]) != exportMagic {
		return nil, ErrNotExport
	}
	switch v := binary.BigEndian.Uint16(b[8:10]); {
	case v > exportVersion:
		return nil, fmt.Errorf("%w (export format %d, this version reads up to %d)", ErrNewerFormat, v, exportVersion)
	case v < exportVersion:
		return nil, fmt.Errorf("%w: bad format version", ErrExportCorrupt)
	}
	if len(b) < exportHeaderSize {
		return nil, ErrExportTruncated
	}
	h := &exportHeader{params: Params{
		Time:      binary.BigEndian.Uint32(b[10:]),
		MemoryKiB: binary.BigEndian.Uint32(b[14:]),
		Threads:   b[18],
	}}
	if !h.params.sane() {
		return nil, fmt.Errorf("%w: key derivation parameters out of range", ErrExportCorrupt)
	}
	copy(h.salt[:], b[19:])
	copy(h.mac[:], b[51:exportHeaderSize])
	return h, nil
}

// keys derives the header MAC key and the stream key.
func (h *exportHeader) keys(password string) (macKey, streamKey []byte) {
	ikm := deriveIKM(password, h.salt[:], h.params)
	defer clear(ikm)
	return subkey(ikm, "nook export v1 header"), subkey(ikm, "nook export v1 payload")
}

func (h *exportHeader) computeMAC(macKey []byte) []byte {
	m := hmac.New(sha256.New, macKey)
	m.Write(h.marshal()[:51])
	return m.Sum(nil)
}

// Export writes the whole profile to w as one file encrypted under
// exportPassword (see the format above). The profile stays usable while the
// export runs; the export is a consistent snapshot.
func (p *Profile) Export(w io.Writer, exportPassword string) error {
	p.mu.Lock()
	closed := p.closed
	p.mu.Unlock()
	if closed {
		return ErrClosed
	}
	h := &exportHeader{params: p.opts.KDF.withDefault()}
	if err := h.params.check(); err != nil {
		return err
	}
	if _, err := io.ReadFull(p.opts.rand(), h.salt[:]); err != nil {
		return fmt.Errorf("read random salt: %w", err)
	}
	macKey, streamKey := h.keys(exportPassword)
	defer clear(macKey)
	defer clear(streamKey)
	copy(h.mac[:], h.computeMAC(macKey))
	if _, err := w.Write(h.marshal()); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	sw, err := newStreamWriter(streamKey, w)
	if err != nil {
		return err
	}
	prefix := []byte{payloadVersion}
	prefix = binary.BigEndian.AppendUint64(prefix, uint64(p.info.Created.Unix()))
	if _, err := sw.Write(prefix); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := p.st.Backup(sw); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := sw.Close(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}

// ExportFile is Export to a new file at path (mode 0600). An unfinished file
// is removed.
//
// On the profile's own disk the export leaves store.DefaultMinFree free,
// which the open profile needs to keep working; on any disk it stops when
// the disk is full. Either way it returns a *SpaceError (ErrDiskFull). The
// export's size is not known before it is written (the database is
// compressed, the export is not), so the free space is measured before the
// file is created and then after every MiB written.
func (p *Profile) ExportFile(path, exportPassword string) error {
	dir := filepath.Dir(path)
	space := spaceCheck{op: "export", dir: dir}
	if diskspace.SameDisk(dir, p.dir) {
		space.keep = store.DefaultMinFree
	}
	if err := space.start(); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return space.explain(fmt.Errorf("export: %w", err))
	}
	w := &spaceWriter{w: f, spaceCheck: space}
	err = p.Export(w, exportPassword)
	if w.err != nil {
		err = fmt.Errorf("export: %w", w.err)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return space.explain(err)
	}
	return nil
}

// openExport reads an export header from r, verifies exportPassword, and
// returns the payload reader positioned after the payload prefix.
func openExport(r io.Reader, exportPassword string) (io.Reader, time.Time, error) {
	hb := make([]byte, exportHeaderSize)
	n, err := io.ReadFull(r, hb)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return nil, time.Time{}, fmt.Errorf("read export file: %w", err)
	}
	h, err := parseExportHeader(hb[:n])
	if err != nil {
		return nil, time.Time{}, err
	}
	if err := h.params.check(); err != nil {
		return nil, time.Time{}, err
	}
	macKey, streamKey := h.keys(exportPassword)
	defer clear(macKey)
	defer clear(streamKey)
	if !hmac.Equal(h.computeMAC(macKey), h.mac[:]) {
		return nil, time.Time{}, ErrWrongPassword
	}
	return readPayload(streamKey, r)
}

// readPayload opens the stream and reads the payload prefix.
func readPayload(streamKey []byte, r io.Reader) (io.Reader, time.Time, error) {
	sr, err := newStreamReader(streamKey, r)
	if err != nil {
		return nil, time.Time{}, err
	}
	var prefix [9]byte
	if _, err := io.ReadFull(sr, prefix[:]); err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			err = fmt.Errorf("%w: payload too short", ErrExportCorrupt)
		}
		return nil, time.Time{}, err
	}
	if prefix[0] != payloadVersion {
		return nil, time.Time{}, fmt.Errorf("%w: unknown payload version", ErrExportCorrupt)
	}
	created := time.Unix(int64(binary.BigEndian.Uint64(prefix[1:])), 0).UTC()
	return sr, created, nil
}

// Import reads an export file from r, verifies exportPassword, and restores
// it as a new profile under root protected by newPassword (which may equal
// exportPassword), returned unlocked. The new profile has a new ID, folder
// and master key, and the identity, name and data of the exported one. A
// damaged or truncated file leaves nothing behind.
//
// Import needs free space on root's disk: importRoom and
// store.DefaultMinFree (128 MiB) up front, as ImportFile explains, and
// store.DefaultMinFree left free throughout. Without it, it returns a
// *SpaceError (ErrDiskFull) and leaves nothing behind.
func Import(root string, r io.Reader, exportPassword, newPassword string, opts Options) (*Profile, error) {
	return importFrom(root, r, 0, exportPassword, newPassword, opts)
}

// ImportFile is Import from the export file at path. Before anything else,
// it checks that root's disk has room for the profile: the file's size and
// a quarter more, importRoom (64 MiB) for the database to work while it
// loads, and store.DefaultMinFree (64 MiB) to be left free afterwards. If
// not, it returns a *SpaceError (ErrDiskFull) and changes nothing. While it
// imports it keeps checking, and stops the same way, leaving nothing
// behind, when less than store.DefaultMinFree is left (something else
// filled the disk).
func ImportFile(root, path, exportPassword, newPassword string, opts Options) (*Profile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open export file: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("open export file: %w", err)
	}
	return importFrom(root, f, fi.Size(), exportPassword, newPassword, opts)
}

// importFrom is Import of an export file of size bytes (0 if not known).
func importFrom(root string, r io.Reader, size int64, exportPassword, newPassword string, opts Options) (*Profile, error) {
	opts.KDF = opts.KDF.withDefault()
	if err := opts.KDF.check(); err != nil {
		return nil, err
	}
	space := spaceCheck{op: "import", dir: root, need: importNeed(size), keep: store.DefaultMinFree}
	if err := space.start(); err != nil {
		return nil, err
	}
	payload, created, err := openExport(r, exportPassword)
	if err != nil {
		return nil, err
	}
	h, master, err := newHeader(opts.rand(), opts.KDF, created)
	if err != nil {
		return nil, err
	}
	defer clear(master)
	if err := os.MkdirAll(root, 0o700); err != nil {
		return nil, space.explain(fmt.Errorf("import profile: %w", err))
	}
	final := filepath.Join(root, h.idString())
	work := filepath.Join(root, ".import-"+h.idString())
	err = func() error {
		if err := os.Mkdir(work, 0o700); err != nil {
			return err
		}
		loaded := &spaceReader{r: payload, spaceCheck: space}
		err := store.Restore(filepath.Join(work, dbDir), store.Options{Key: master, NoSync: opts.NoSync}, loaded)
		if err != nil {
			return err
		}
		if err := h.seal(opts.rand(), newPassword, master); err != nil {
			return err
		}
		return writeFileAtomic(filepath.Join(work, headerFile), h.marshal())
	}()
	if err == nil {
		// Check the restored database before it appears under root.
		var p *Profile
		if p, err = openWithKey(work, h, master, opts); err == nil {
			err = p.Close()
		}
	}
	if err == nil {
		err = os.Rename(work, final)
	}
	if err != nil {
		if free, ok := diskspace.Free(root); ok && int64(free) < space.keep {
			// Also when Badger's own write failed: it says so only in words.
			err = space.error(int64(free))
		}
		os.RemoveAll(work)
		if err := space.explain(err); errors.Is(err, ErrDiskFull) {
			return nil, err
		}
		if errors.Is(err, ErrExportCorrupt) || errors.Is(err, ErrExportTruncated) || errors.Is(err, ErrNewerSchema) {
			return nil, err
		}
		return nil, fmt.Errorf("import profile: %w", err)
	}
	return openWithKey(final, h, master, opts)
}
