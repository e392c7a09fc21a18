package tor

// CloseControlConn closes the engine's control connection to the running
// tor, as a crash of that connection would (tests only). It reports
// whether a tor was running.
func CloseControlConn(t *Tor) bool {
	t.mu.Lock()
	inst := t.inst
	t.mu.Unlock()
	if inst == nil || inst.raw == nil {
		return false
	}
	inst.raw.Close()
	return true
}
