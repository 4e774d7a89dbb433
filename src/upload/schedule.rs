//! Which file may start next, per release (same project and version):
//! PyPI builds a release's metadata from its first file, so the release's
//! first wheel goes alone and must be accepted before any other file of it
//! starts, and its sdist goes last, after every wheel. Releases are
//! independent of each other. Pure: the run loop says what started and how
//! each file ended.

/// What a file is to its release's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    Wheel,
    Sdist,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Waiting,
    Running,
    /// Uploaded, or already there: the release has it.
    Accepted,
    Failed,
}

#[derive(Debug)]
struct Slot {
    release: usize,
    role: Role,
    state: State,
}

/// The files of a run, in input order, and where each stands.
#[derive(Debug)]
pub(super) struct Schedule {
    slots: Vec<Slot>,
}

impl Schedule {
    /// `files`: each file's release (any key that is equal for the same
    /// project and version) and role, in input order.
    pub(super) fn new<K: PartialEq>(files: impl IntoIterator<Item = (K, Role)>) -> Self {
        let mut keys: Vec<K> = Vec::new();
        let slots = files
            .into_iter()
            .map(|(key, role)| {
                let release = match keys.iter().position(|k| *k == key) {
                    Some(at) => at,
                    None => {
                        keys.push(key);
                        keys.len() - 1
                    }
                };
                Slot {
                    release,
                    role,
                    state: State::Waiting,
                }
            })
            .collect();
        Schedule { slots }
    }

    /// The first waiting file, in input order, that may start now.
    pub(super) fn next(&self) -> Option<usize> {
        (0..self.slots.len()).find(|&i| self.may_start(i))
    }

    fn may_start(&self, i: usize) -> bool {
        let slot = &self.slots[i];
        if slot.state != State::Waiting {
            return false;
        }
        let release: Vec<&Slot> = self
            .slots
            .iter()
            .filter(|s| s.release == slot.release)
            .collect();
        let any = |state: State| release.iter().any(|s| s.state == state);
        if !any(State::Accepted) {
            // Nothing of the release is on the index yet: only its first
            // file still in the running goes, and alone. Wheels come first.
            return !any(State::Running) && self.opener(slot.release) == Some(i);
        }
        match slot.role {
            Role::Wheel => true,
            Role::Sdist => release
                .iter()
                .filter(|s| s.role == Role::Wheel)
                .all(|s| matches!(s.state, State::Accepted | State::Failed)),
        }
    }

    /// The file that opens a release: its first wheel not failed, or its
    /// first sdist not failed when no wheel is left.
    fn opener(&self, release: usize) -> Option<usize> {
        let candidate = |role: Role| {
            (0..self.slots.len()).find(|&i| {
                let s = &self.slots[i];
                s.release == release && s.role == role && s.state != State::Failed
            })
        };
        candidate(Role::Wheel).or_else(|| candidate(Role::Sdist))
    }

    pub(super) fn start(&mut self, i: usize) {
        self.slots[i].state = State::Running;
    }

    /// A file ended: accepted (uploaded or already there) or not.
    pub(super) fn finish(&mut self, i: usize, accepted: bool) {
        self.slots[i].state = match accepted {
            true => State::Accepted,
            false => State::Failed,
        };
    }

    /// Files started and not finished.
    pub(super) fn running(&self) -> impl Iterator<Item = usize> + '_ {
        self.indexes(State::Running)
    }

    /// Files not started.
    pub(super) fn waiting(&self) -> impl Iterator<Item = usize> + '_ {
        self.indexes(State::Waiting)
    }

    fn indexes(&self, state: State) -> impl Iterator<Item = usize> + '_ {
        (0..self.slots.len()).filter(move |&i| self.slots[i].state == state)
    }
}

#[cfg(test)]
mod tests {
    use super::Role::{Sdist, Wheel};
    use super::*;

    /// Start everything that may start; what started.
    fn start_all(s: &mut Schedule) -> Vec<usize> {
        let mut started = Vec::new();
        while let Some(i) = s.next() {
            s.start(i);
            started.push(i);
        }
        started
    }

    #[test]
    fn the_first_wheel_goes_alone_and_the_sdist_last() {
        // Given sdist first: order does not matter.
        let mut s = Schedule::new([("a", Sdist), ("a", Wheel), ("a", Wheel), ("a", Wheel)]);
        assert_eq!(start_all(&mut s), vec![1]);
        s.finish(1, true);
        assert_eq!(start_all(&mut s), vec![2, 3]);
        s.finish(2, true);
        assert_eq!(start_all(&mut s), Vec::<usize>::new(), "a wheel is running");
        s.finish(3, true);
        assert_eq!(start_all(&mut s), vec![0]);
        s.finish(0, true);
        assert_eq!(s.waiting().count() + s.running().count(), 0);
    }

    #[test]
    fn releases_are_independent() {
        let mut s = Schedule::new([("a", Wheel), ("b", Wheel), ("a", Wheel), ("b", Sdist)]);
        assert_eq!(start_all(&mut s), vec![0, 1]);
        s.finish(1, true);
        assert_eq!(start_all(&mut s), vec![3]);
        s.finish(0, true);
        assert_eq!(start_all(&mut s), vec![2]);
    }

    #[test]
    fn a_release_of_sdists_only_opens_with_the_first() {
        let mut s = Schedule::new([("a", Sdist), ("a", Sdist)]);
        assert_eq!(start_all(&mut s), vec![0]);
        s.finish(0, true);
        assert_eq!(start_all(&mut s), vec![1]);
    }

    #[test]
    fn when_the_opener_fails_the_next_wheel_opens() {
        let mut s = Schedule::new([("a", Wheel), ("a", Wheel), ("a", Sdist)]);
        assert_eq!(start_all(&mut s), vec![0]);
        s.finish(0, false);
        assert_eq!(start_all(&mut s), vec![1]);
        s.finish(1, false);
        assert_eq!(start_all(&mut s), vec![2]);
        s.finish(2, true);
        assert_eq!(s.waiting().count(), 0);
    }

    #[test]
    fn an_sdist_waits_for_every_wheel_even_a_failing_one() {
        let mut s = Schedule::new([("a", Wheel), ("a", Wheel), ("a", Sdist)]);
        start_all(&mut s);
        s.finish(0, true);
        assert_eq!(start_all(&mut s), vec![1]);
        s.finish(1, false);
        assert_eq!(start_all(&mut s), vec![2]);
        assert_eq!(s.running().collect::<Vec<_>>(), vec![2]);
    }
}
