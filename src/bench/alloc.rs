//! A counting global allocator for `jiraql bench`'s peak-memory column.
//!
//! The binary installs [`CountingAlloc`]; it counts nothing until [`start`] turns it on (only
//! the bench does), so every other run pays one relaxed atomic load per allocation. Threads
//! that call [`exclude_this_thread`] (the bench's in-process emulator) are not counted, so the
//! figure is jiraql's own heap: pages in flight, decoded batches, DataFusion's state.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicIsize, Ordering::Relaxed};

static ENABLED: AtomicBool = AtomicBool::new(false);
/// Bytes allocated minus bytes freed by counted threads since counting started. Memory
/// allocated before and freed after can make it drift below zero; peaks are read relative
/// to a baseline taken at the same time, so that does not matter.
static CURRENT: AtomicIsize = AtomicIsize::new(0);
static PEAK: AtomicIsize = AtomicIsize::new(0);

thread_local! {
    // Const-initialized and without destructor: safe to touch from inside the allocator.
    static EXCLUDED: Cell<bool> = const { Cell::new(false) };
}

/// Wraps the system allocator, counting live bytes and their peak while enabled.
pub struct CountingAlloc;

fn counted() -> bool {
    ENABLED.load(Relaxed) && !EXCLUDED.try_with(Cell::get).unwrap_or(true)
}

fn grow(bytes: usize) {
    let now = CURRENT.fetch_add(bytes as isize, Relaxed) + bytes as isize;
    PEAK.fetch_max(now, Relaxed);
}

fn shrink(bytes: usize) {
    CURRENT.fetch_sub(bytes as isize, Relaxed);
}

// SAFETY: every call is forwarded unchanged to `System`; the counters only observe sizes.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() && counted() {
            grow(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() && counted() {
            grow(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) };
        if counted() {
            shrink(layout.size());
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() && counted() {
            if new_size >= layout.size() {
                grow(new_size - layout.size());
            } else {
                shrink(layout.size() - new_size);
            }
        }
        p
    }
}

/// Turns counting on (for the rest of the process).
pub fn start() {
    ENABLED.store(true, Relaxed);
}

/// Whether the running binary installed [`CountingAlloc`] and counting is on: a probe
/// allocation must move the counter.
pub fn active() -> bool {
    let before = CURRENT.load(Relaxed);
    let probe = std::hint::black_box(vec![0u8; 4096]);
    let moved = CURRENT.load(Relaxed) != before;
    drop(probe);
    moved
}

/// Allocations of the calling thread are not counted from now on.
pub fn exclude_this_thread() {
    EXCLUDED.with(|e| e.set(true));
}

/// Starts a new peak measurement: returns the baseline to pass to [`peak_since`].
pub fn reset_peak() -> isize {
    let now = CURRENT.load(Relaxed);
    PEAK.store(now, Relaxed);
    now
}

/// Highest live-byte count since [`reset_peak`] returned `baseline`, above that baseline.
pub fn peak_since(baseline: isize) -> usize {
    usize::try_from(PEAK.load(Relaxed) - baseline).unwrap_or(0)
}
