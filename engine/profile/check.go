package profile

// CheckPassword reports whether password unlocks p (nil) or not
// (ErrWrongPassword), without changing anything. It costs one key
// derivation. Callers use it to confirm a destructive action before they
// stop what uses the profile.
func (p *Profile) CheckPassword(password string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return ErrClosed
	}
	h, err := readHeader(p.dir)
	if err != nil {
		return err
	}
	master, err := h.open(password)
	clear(master)
	return err
}
