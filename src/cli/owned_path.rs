//! Paths that only the user can change: the rule behind every file `mfa` reads a
//! setting from or writes to (the config file, the audit log, the token cache).
//!
//! As ssh holds its own files: a file counts as the user's only if no other user could
//! change what it holds or replace it, that is if it and every folder on the way to it
//! belong to the user or to root, and neither it nor any of those folders can be
//! written by the group or others (a folder others may write is fine only with the
//! sticky bit, as `/tmp`, which keeps them from replacing what is not theirs; a link
//! in such a folder must then be the user's or root's too).
//!
//! Each check is made on what is used, never on a name that could change in between:
//! the walk opens each folder from the one before it (`openat`) without following a
//! link, and checks the folder it opened (`fstat`); a symbolic link on the way is read
//! and its target walked the same way, checked step by step. The file is then opened in
//! the last folder opened, not by its name again, so swapping a link or a folder while
//! `mfa` runs can never make it read, run, trust or write another user's file.
//!
//! Where the system has no owners (Windows), paths are used as they are.

use std::ffi::OsString;
use std::fs::File;
use std::path::{Path, PathBuf};

use crate::cli::untrusted_file::Unreadable;

/// Why a path is not the user's own, and the command that makes it so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Foreign {
    /// What another user could do, in words: `other users can write the file (mode 666)`.
    pub why: String,
    /// What fixes it: `chmod go-w '/home/me/my config.toml'`.
    pub fix: String,
}

/// Why a path could not be used.
#[derive(Debug)]
pub enum Refusal {
    /// It (or a folder on the way) is missing, not what it should be, or unreadable.
    Unusable(Unreadable),
    /// Another user could change it.
    Foreign(Foreign),
}

impl From<Unreadable> for Refusal {
    fn from(why: Unreadable) -> Self {
        Refusal::Unusable(why)
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Unusable(why) => why.fmt(f),
            Refusal::Foreign(foreign) => f.write_str(&foreign.why),
        }
    }
}

/// A refusal in an I/O error's words; another user's hold comes with the fix.
impl From<Refusal> for std::io::Error {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::Foreign(foreign) => {
                std::io::Error::other(format!("{}; fix it with `{}`", foreign.why, foreign.fix))
            }
            other => std::io::Error::other(other.to_string()),
        }
    }
}

/// A folder the walk opened and found to be the user's own, and where it is.
#[derive(Debug)]
pub struct Folder {
    #[cfg(unix)]
    fd: std::os::fd::OwnedFd,
    #[cfg(not(unix))]
    path: PathBuf,
}

#[cfg(not(unix))]
impl Folder {
    /// Where the folder is.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// A file opened in a folder of the user's own, with its permission bits.
#[derive(Debug)]
pub struct Opened {
    pub file: File,
    /// The permission bits (0 where the system has none).
    pub mode: u32,
}

/// The whole of the regular file at `path`, if it holds at most `cap` bytes and is the
/// user's own (see the module's rule); a symbolic link to it is followed, checked step
/// by step. Its permission bits come with it.
pub fn read(path: &Path, cap: u64) -> Result<(Vec<u8>, u32), Refusal> {
    let opened = open(path, Access::Read)?;
    let bytes = crate::cli::untrusted_file::read_capped(&opened.file, cap)?;
    Ok((bytes, opened.mode))
}

/// How a file is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// To read; a link at the last step is followed (checked step by step).
    Read,
    /// To read; a link at the last step is refused (a file only `mfa` makes).
    ReadNoLink,
    /// To append, made with mode 0600 if missing; a link at the last step is refused.
    Append,
    /// To lock, made with mode 0600 if missing; a link at the last step is refused.
    Lock,
}

/// Opens the regular file at `path` for `access`, if it is the user's own (see the
/// module's rule).
pub fn open(path: &Path, access: Access) -> Result<Opened, Refusal> {
    imp::open(path, access)
}

/// The file `path` names once every link on the way is followed, each checked as the
/// walk checks it, whether or not that file exists yet; its folder is the user's own.
pub fn resolve(path: &Path) -> Result<PathBuf, Refusal> {
    imp::resolve(path)
}

/// Opens the folder `path`, making it (and its missing parents, mode 0700) if `make`,
/// if it is the user's own.
pub fn folder(path: &Path, make: bool) -> Result<Folder, Refusal> {
    imp::folder(path, make)
}

/// The folder that holds the file at `path` (`.` for a bare name), and the file's name.
pub fn split(path: &Path) -> (PathBuf, OsString) {
    let folder = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_owned(),
        _ => PathBuf::from("."),
    };
    (folder, path.file_name().unwrap_or_default().to_owned())
}

/// A path as a shell reads it: as it is if plain, else in single quotes.
pub fn shell_quoted(path: &Path) -> String {
    let text = path.display().to_string();
    let plain = text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-~+@%:,".contains(c));
    if plain {
        text
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

#[cfg(unix)]
pub use imp::{create_new, remove, rename_over, with_each_name};

#[cfg(unix)]
mod imp {
    use std::collections::VecDeque;
    use std::ffi::{OsStr, OsString};
    use std::fs::File;
    use std::os::fd::{AsFd, OwnedFd};
    use std::os::unix::ffi::OsStrExt;
    use std::path::{Component, Path, PathBuf};

    use rustix::fs::{AtFlags, FileType, Mode, OFlags, Stat};
    use rustix::io::Errno;

    use super::{Access, Folder, Foreign, Opened, Refusal, shell_quoted};
    use crate::cli::untrusted_file::{Unreadable, owned_by_user};

    /// How many links a walk follows before it calls it a loop, as Linux does.
    const MOST_LINKS: usize = 40;

    /// How a folder is opened to walk through: without reading it where the system
    /// allows (`O_PATH`), never through a link.
    #[cfg(any(target_os = "linux", target_os = "android"))]
    const THROUGH: OFlags = OFlags::PATH
        .union(OFlags::DIRECTORY)
        .union(OFlags::NOFOLLOW)
        .union(OFlags::CLOEXEC);
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    const THROUGH: OFlags = OFlags::RDONLY
        .union(OFlags::DIRECTORY)
        .union(OFlags::NOFOLLOW)
        .union(OFlags::CLOEXEC);

    /// The permission bits of `stat`, sticky bit included.
    #[allow(clippy::unnecessary_cast)]
    fn mode_of(stat: &Stat) -> u32 {
        stat.st_mode as u32 & 0o7777
    }

    #[allow(clippy::unnecessary_cast)]
    fn owner_of(stat: &Stat) -> u32 {
        stat.st_uid as u32
    }

    fn failed(errno: Errno) -> Refusal {
        Refusal::Unusable(match errno {
            Errno::NOENT => Unreadable::Missing,
            errno => Unreadable::Failed(errno.into()),
        })
    }

    /// Whether another user could change the folder `stat` describes, at `path`.
    fn check_folder(stat: &Stat, path: &Path) -> Result<(), Refusal> {
        let mode = mode_of(stat);
        if !owned_by_user(owner_of(stat)) {
            return Err(Refusal::Foreign(Foreign {
                why: format!(
                    "its folder {} belongs to another user (uid {})",
                    path.display(),
                    owner_of(stat)
                ),
                fix: "move it to a folder of your own".to_owned(),
            }));
        }
        if mode & 0o022 != 0 && mode & 0o1000 == 0 {
            return Err(Refusal::Foreign(Foreign {
                why: format!(
                    "other users can add and replace files in its folder {} (mode {:o})",
                    path.display(),
                    mode & 0o777
                ),
                fix: format!("chmod go-w {}", shell_quoted(path)),
            }));
        }
        Ok(())
    }

    /// Whether another user could change the file `stat` describes, at `path`.
    fn check_file(stat: &Stat, path: &Path) -> Result<(), Refusal> {
        let kind = FileType::from_raw_mode(stat.st_mode);
        if kind != FileType::RegularFile {
            return Err(Refusal::Unusable(Unreadable::NotAFile(match kind {
                FileType::Fifo => "a FIFO",
                FileType::CharacterDevice | FileType::BlockDevice => "a device",
                FileType::Socket => "a socket",
                FileType::Directory => "a folder",
                _ => "not a regular file",
            })));
        }
        let shown = shell_quoted(path);
        if !owned_by_user(owner_of(stat)) {
            return Err(Refusal::Foreign(Foreign {
                why: format!("the file belongs to another user (uid {})", owner_of(stat)),
                fix: format!("cp {shown} {shown}.mine && mv {shown}.mine {shown}"),
            }));
        }
        if mode_of(stat) & 0o022 != 0 {
            return Err(Refusal::Foreign(Foreign {
                why: format!(
                    "other users can write the file (mode {:o})",
                    mode_of(stat) & 0o777
                ),
                fix: format!("chmod go-w {shown}"),
            }));
        }
        Ok(())
    }

    /// The names of `path`, from the root, as the walk takes them.
    fn path_names(path: &Path) -> (bool, VecDeque<OsString>) {
        let absolute = path.is_absolute();
        let names = path
            .components()
            .filter_map(|component| match component {
                Component::Normal(name) => Some(name.to_owned()),
                Component::ParentDir => Some(OsString::from("..")),
                _ => None,
            })
            .collect();
        (absolute, names)
    }

    /// The folders opened so far, the root first.
    struct Walk {
        folders: Vec<(OwnedFd, PathBuf, Stat)>,
        pending: VecDeque<OsString>,
        links: usize,
    }

    impl Walk {
        /// A walk of `path`, from the root (or the current folder's path, for a
        /// relative one), each folder from the root down checked.
        fn new(path: &Path) -> Result<Walk, Refusal> {
            let (absolute, names) = path_names(path);
            let mut walk = Walk {
                folders: Vec::new(),
                pending: VecDeque::new(),
                links: 0,
            };
            walk.restart(Path::new("/"))?;
            if !absolute {
                let here = std::env::current_dir()
                    .map_err(|e| Refusal::Unusable(Unreadable::Failed(e)))?;
                walk.pending = path_names(&here).1;
            }
            walk.pending.extend(names);
            Ok(walk)
        }

        /// Goes back to the root.
        fn restart(&mut self, root: &Path) -> Result<(), Refusal> {
            let fd = rustix::fs::openat(rustix::fs::CWD, root, THROUGH, Mode::empty())
                .map_err(failed)?;
            let stat = rustix::fs::fstat(&fd).map_err(failed)?;
            check_folder(&stat, root)?;
            self.folders.clear();
            self.folders.push((fd, root.to_owned(), stat));
            Ok(())
        }

        fn here(&self) -> &(OwnedFd, PathBuf, Stat) {
            self.folders.last().expect("the walk always holds the root")
        }

        /// Takes the link `name` in the current folder: checks it, then puts its
        /// target's names before what is left of the walk.
        fn follow(&mut self, name: &OsStr) -> Result<(), Refusal> {
            let (fd, path, folder) = self.here();
            let link = rustix::fs::statat(fd, name, AtFlags::SYMLINK_NOFOLLOW).map_err(failed)?;
            if FileType::from_raw_mode(link.st_mode) != FileType::Symlink {
                return Err(Refusal::Unusable(Unreadable::NotAFile("not a folder")));
            }
            // In a folder others may write (sticky), only the user's or root's own
            // link is followed: anyone else's could lead anywhere.
            if mode_of(folder) & 0o022 != 0 && !owned_by_user(owner_of(&link)) {
                return Err(Refusal::Foreign(Foreign {
                    why: format!(
                        "the link {} belongs to another user (uid {})",
                        path.join(name).display(),
                        owner_of(&link)
                    ),
                    fix: format!("rm {}", shell_quoted(&path.join(name))),
                }));
            }
            let target = rustix::fs::readlinkat(fd, name, Vec::new()).map_err(failed)?;
            self.links += 1;
            if self.links > MOST_LINKS {
                return Err(Refusal::Unusable(Unreadable::NotAFile(
                    "a loop of symbolic links",
                )));
            }
            let target = Path::new(OsStr::from_bytes(target.as_bytes()));
            let (absolute, mut names) = path_names(target);
            if absolute {
                self.restart(Path::new("/"))?;
            }
            names.extend(self.pending.drain(..));
            self.pending = names;
            Ok(())
        }

        /// The next name to walk to; a `..` before it is taken here, by going back up
        /// (never above the root).
        fn next_name(&mut self) -> Option<OsString> {
            loop {
                let name = self.pending.pop_front()?;
                if name != ".." {
                    return Some(name);
                }
                if self.folders.len() > 1 {
                    self.folders.pop();
                }
            }
        }

        /// Walks every name but the last, which it returns with the folder it is in.
        fn walk_to_last(&mut self) -> Result<OsString, Refusal> {
            while let Some(name) = self.next_name() {
                if self.pending.is_empty() {
                    return Ok(name);
                }
                self.enter(&name)?;
            }
            // The path named a root or a folder only.
            Err(Refusal::Unusable(Unreadable::NotAFile("a folder")))
        }

        /// Goes into the folder `name` of the current folder, following a link.
        fn enter(&mut self, name: &OsStr) -> Result<(), Refusal> {
            let (fd, path, _) = self.here();
            match rustix::fs::openat(fd, name, THROUGH, Mode::empty()) {
                Ok(opened) => {
                    let stat = rustix::fs::fstat(&opened).map_err(failed)?;
                    let path = path.join(name);
                    check_folder(&stat, &path)?;
                    self.folders.push((opened, path, stat));
                    Ok(())
                }
                Err(Errno::LOOP | Errno::NOTDIR) => self.follow(name),
                Err(errno) => Err(failed(errno)),
            }
        }

        /// The current folder, as the walk's result.
        fn into_folder(mut self) -> Folder {
            let (fd, _, _) = self.folders.pop().expect("the walk always holds the root");
            Folder { fd }
        }
    }

    pub(super) fn open(path: &Path, access: Access) -> Result<Opened, Refusal> {
        let mut walk = Walk::new(path)?;
        loop {
            let name = walk.walk_to_last()?;
            let (fd, folder, _) = walk.here();
            let flags = OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
            let flags = match access {
                Access::Read | Access::ReadNoLink => flags | OFlags::RDONLY,
                Access::Append => flags | OFlags::WRONLY | OFlags::APPEND | OFlags::CREATE,
                Access::Lock => flags | OFlags::WRONLY | OFlags::CREATE,
            };
            match rustix::fs::openat(fd, &name, flags, Mode::from_raw_mode(0o600)) {
                Ok(opened) => {
                    let stat = rustix::fs::fstat(&opened).map_err(failed)?;
                    let path = folder.join(&name);
                    check_file(&stat, &path)?;
                    return Ok(Opened {
                        file: File::from(opened),
                        mode: mode_of(&stat) & 0o777,
                    });
                }
                Err(Errno::LOOP) if access == Access::Read => {
                    walk.follow(&name)?;
                }
                Err(Errno::LOOP) => {
                    return Err(Refusal::Unusable(Unreadable::NotAFile("a symbolic link")));
                }
                // Opening a FIFO to write fails when no one reads it: say what it is.
                Err(Errno::NXIO) => {
                    return Err(Refusal::Unusable(Unreadable::NotAFile("a FIFO")));
                }
                Err(errno) => return Err(failed(errno)),
            }
        }
    }

    pub(super) fn resolve(path: &Path) -> Result<PathBuf, Refusal> {
        let mut walk = Walk::new(path)?;
        while let Some(name) = walk.next_name() {
            let (fd, folder, _) = walk.here();
            let stat = match rustix::fs::statat(fd, &name, AtFlags::SYMLINK_NOFOLLOW) {
                Ok(stat) => stat,
                // What does not exist yet is where it will be made.
                Err(Errno::NOENT) => {
                    let mut missing = folder.join(name);
                    missing.extend(walk.pending.drain(..));
                    return Ok(missing);
                }
                Err(errno) => return Err(failed(errno)),
            };
            if FileType::from_raw_mode(stat.st_mode) == FileType::Symlink {
                walk.follow(&name)?;
            } else if walk.pending.is_empty() {
                return Ok(folder.join(name));
            } else {
                walk.enter(&name)?;
            }
        }
        Err(Refusal::Unusable(Unreadable::NotAFile("a folder")))
    }

    pub(super) fn folder(path: &Path, make: bool) -> Result<Folder, Refusal> {
        let mut walk = Walk::new(path)?;
        while let Some(name) = walk.next_name() {
            match walk.enter(&name) {
                Err(Refusal::Unusable(Unreadable::Missing)) if make => {
                    let (fd, _, _) = walk.here();
                    match rustix::fs::mkdirat(fd, &name, Mode::from_raw_mode(0o700)) {
                        Ok(()) | Err(Errno::EXIST) => walk.pending.push_front(name),
                        Err(errno) => return Err(failed(errno)),
                    }
                }
                other => other?,
            }
        }
        Ok(walk.into_folder())
    }

    /// Makes the file `name` in `folder`, never one that exists (nor a link), with
    /// mode 0600.
    pub fn create_new(folder: &super::Folder, name: &OsStr) -> std::io::Result<File> {
        let flags =
            OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        let fd = rustix::fs::openat(&folder.fd, name, flags, Mode::from_raw_mode(0o600))?;
        Ok(File::from(fd))
    }

    /// Renames `from` over `to`, both in `folder`: the one step that replaces a file.
    pub fn rename_over(folder: &super::Folder, from: &OsStr, to: &OsStr) -> std::io::Result<()> {
        Ok(rustix::fs::renameat(&folder.fd, from, &folder.fd, to)?)
    }

    /// Removes the file `name` of `folder` (a link itself, never what it leads to).
    pub fn remove(folder: &super::Folder, name: &OsStr) -> std::io::Result<()> {
        Ok(rustix::fs::unlinkat(&folder.fd, name, AtFlags::empty())?)
    }

    /// Calls `each` with the name of every entry of `folder`.
    pub fn with_each_name(folder: &super::Folder, mut each: impl FnMut(&OsStr)) {
        let Ok(fd) = rustix::fs::openat(
            &folder.fd,
            ".",
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        ) else {
            return;
        };
        let Ok(mut dir) = rustix::fs::Dir::read_from(fd.as_fd()) else {
            return;
        };
        while let Some(Ok(entry)) = dir.read() {
            each(OsStr::from_bytes(entry.file_name().to_bytes()));
        }
    }
}

#[cfg(not(unix))]
mod imp {
    use std::fs::OpenOptions;
    use std::path::Path;

    use super::{Access, Folder, Opened, Refusal};
    use crate::cli::untrusted_file;

    pub(super) fn open(path: &Path, access: Access) -> Result<Opened, Refusal> {
        let mut options = OpenOptions::new();
        match access {
            Access::Read | Access::ReadNoLink => options.read(true),
            Access::Append => options.append(true).create(true),
            Access::Lock => options.write(true).create(true),
        };
        let file = untrusted_file::open_regular(path, &mut options)?;
        Ok(Opened { file, mode: 0 })
    }

    pub(super) fn resolve(path: &Path) -> Result<std::path::PathBuf, Refusal> {
        Ok(path.to_owned())
    }

    pub(super) fn folder(path: &Path, make: bool) -> Result<Folder, Refusal> {
        if make {
            std::fs::create_dir_all(path)
                .map_err(|e| Refusal::Unusable(untrusted_file::Unreadable::Failed(e)))?;
        }
        Ok(Folder {
            path: path.to_owned(),
        })
    }
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn chmod(path: &Path, mode: u32) {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    /// A private folder holding `a/file` (0600), for each case to change.
    fn tree() -> (tempfile::TempDir, PathBuf) {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir(root.path().join("a")).unwrap();
        let file = root.path().join("a").join("file");
        std::fs::write(&file, "text").unwrap();
        chmod(&file, 0o600);
        (root, file)
    }

    fn why(result: Result<Opened, Refusal>) -> String {
        match result {
            Ok(_) => "used".to_owned(),
            Err(Refusal::Foreign(foreign)) => format!("{} | {}", foreign.why, foreign.fix),
            Err(other) => other.to_string(),
        }
    }

    #[test]
    fn the_rule_holds_for_the_file_every_folder_and_every_link_on_the_way() {
        // (the case, what it changes, what opening the file to read says)
        type Change = fn(&Path, &Path);
        let cases: [(&str, Change, &str); 9] = [
            ("as made", |_, _| {}, "used"),
            ("the file 644", |_, file| chmod(file, 0o644), "used"),
            (
                "the file 660",
                |_, file| chmod(file, 0o660),
                "other users can write the file (mode 660)",
            ),
            (
                "the file 606",
                |_, file| chmod(file, 0o606),
                "other users can write the file (mode 606)",
            ),
            (
                "its folder 775",
                |root, _| chmod(&root.join("a"), 0o775),
                "other users can add and replace files in its folder",
            ),
            (
                "its folder 1777",
                |root, _| chmod(&root.join("a"), 0o1777),
                "used",
            ),
            (
                "the root of the tree 757",
                |root, _| chmod(root, 0o757),
                "other users can add and replace files in its folder",
            ),
            (
                "a FIFO",
                |_, file| {
                    std::fs::remove_file(file).unwrap();
                    std::process::Command::new("mkfifo")
                        .arg(file)
                        .status()
                        .unwrap();
                },
                "it is a FIFO, not a regular file",
            ),
            (
                "a loop of links",
                |_, file| {
                    std::fs::remove_file(file).unwrap();
                    std::os::unix::fs::symlink(file, file).unwrap();
                },
                "it is a loop of symbolic links, not a regular file",
            ),
        ];
        for (case, change, said) in cases {
            let (root, file) = tree();
            change(root.path(), &file);
            let shown = why(open(&file, Access::Read));
            assert!(shown.starts_with(said), "{case}: {shown}");
        }
    }

    #[test]
    fn a_link_is_followed_to_read_only_through_folders_of_the_users_own() {
        let (root, file) = tree();
        let link = root.path().join("link");
        std::os::unix::fs::symlink("a/file", &link).unwrap();
        assert_eq!(why(open(&link, Access::Read)), "used");
        // Never to append, lock or read a file only mfa makes.
        for access in [Access::Append, Access::Lock, Access::ReadNoLink] {
            assert_eq!(
                why(open(&link, access)),
                "it is a symbolic link, not a regular file",
                "{access:?}"
            );
        }
        assert_eq!(resolve(&link).unwrap(), file);
        // A link to a file in a folder others can fill leads nowhere.
        let open_to_all = root.path().join("open");
        std::fs::create_dir(&open_to_all).unwrap();
        chmod(&open_to_all, 0o777);
        std::fs::write(open_to_all.join("file"), "theirs").unwrap();
        let astray = root.path().join("astray");
        std::os::unix::fs::symlink(open_to_all.join("file"), &astray).unwrap();
        assert!(
            why(open(&astray, Access::Read)).contains("can add and replace files in its folder"),
            "{}",
            why(open(&astray, Access::Read))
        );
        assert!(resolve(&astray).is_err());
    }

    #[test]
    fn a_folder_is_made_private_where_missing_and_refused_where_others_can_change_it() {
        let root = tempfile::tempdir().unwrap();
        let deep = root.path().join("x").join("y");
        folder(&deep, true).unwrap();
        let mode = std::fs::metadata(&deep).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
        chmod(&root.path().join("x"), 0o777);
        assert!(folder(&deep, false).is_err());
        assert!(matches!(
            folder(&root.path().join("none"), false),
            Err(Refusal::Unusable(Unreadable::Missing))
        ));
        // What does not exist yet resolves to where it would be made.
        let missing = root.path().join("new").join("file");
        assert_eq!(resolve(&missing).unwrap(), missing);
    }
}
