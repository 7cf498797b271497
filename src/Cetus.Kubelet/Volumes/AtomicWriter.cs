using System.Globalization;

namespace Cetus.Kubelet.Volumes;

/// <summary>One file of a volume's payload: its bytes and its mode.</summary>
/// <param name="Data">The content.</param>
/// <param name="Mode">The Unix permission bits (0644 = 420).</param>
/// <param name="FsUser">The user that owns the file (projected service account tokens of pods that run as one user); null: the kubelet's.</param>
public sealed record FileProjection(byte[] Data, int Mode, long? FsUser = null);

/// <summary>
/// Writes a volume's files so that readers never see a half-written set (Kubernetes' AtomicWriter): the payload goes
/// into a new timestamped directory <c>..2026_01_01_12_00_00.RANDOM</c>; the symlink <c>..data</c> is switched to it
/// with one rename; the user-visible names are symlinks into <c>..data</c>; then names no longer in the payload and
/// the old directory are removed. Nothing is written when the payload is what <c>..data</c> holds already.
/// </summary>
public static class AtomicWriter
{
    /// <summary>The symlink to the current payload directory.</summary>
    public const string DataDirName = "..data";

    private const string NewDataDirName = "..data_tmp";

    /// <summary>Writes <paramref name="payload"/> (relative path → file) into <paramref name="directory"/>; true when anything changed.</summary>
    public static bool Write(string directory, IReadOnlyDictionary<string, FileProjection> payload, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(payload);
        foreach (var path in payload.Keys)
        {
            Validate(path);
        }

        Directory.CreateDirectory(directory);
        var dataLink = Path.Combine(directory, DataDirName);
        var oldTarget = new FileInfo(dataLink).LinkTarget;
        var oldDir = oldTarget is null ? null : Path.Combine(directory, oldTarget);
        if (oldDir is not null && Directory.Exists(oldDir) && Same(oldDir, payload))
        {
            return false;
        }

        var name = $"..{now.ToString("yyyy_MM_dd_HH_mm_ss", CultureInfo.InvariantCulture)}.{Random.Shared.Next():x8}";
        var newDir = Path.Combine(directory, name);
        Directory.CreateDirectory(newDir);
        FileModes.Set(newDir, FileModes.Octal("755"));
        foreach (var (path, file) in payload)
        {
            var full = Path.Combine(newDir, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            FileModes.WriteNew(full, file.Data, file.Mode);
            if (file.FsUser is { } user)
            {
                NativeMethods.Lchown(full, user, -1);
            }
        }

        // The switch: a new link, renamed over the old one (rename(2) replaces atomically).
        var tmpLink = Path.Combine(directory, NewDataDirName);
        File.Delete(tmpLink);
        File.CreateSymbolicLink(tmpLink, name);
        NativeMethods.Rename(tmpLink, dataLink);

        var visible = payload.Keys.Select(p => p.Split('/')[0]).ToHashSet(StringComparer.Ordinal);
        foreach (var top in visible)
        {
            var link = Path.Combine(directory, top);
            if (new FileInfo(link).LinkTarget is null)
            {
                File.CreateSymbolicLink(link, Path.Combine(DataDirName, top));
            }
        }

        foreach (var entry in Directory.EnumerateFileSystemEntries(directory))
        {
            var entryName = Path.GetFileName(entry);
            if (!entryName.StartsWith("..", StringComparison.Ordinal) && !visible.Contains(entryName))
            {
                File.Delete(entry);
            }
        }

        if (oldDir is not null && Directory.Exists(oldDir))
        {
            Directory.Delete(oldDir, recursive: true);
        }

        return true;
    }

    /// <summary>Rejects what upstream rejects: empty, absolute, or containing a <c>..</c> element or prefix.</summary>
    public static void Validate(string path)
    {
        if (string.IsNullOrEmpty(path))
        {
            throw new ArgumentException("invalid path: must not be empty", nameof(path));
        }

        if (path.StartsWith('/'))
        {
            throw new ArgumentException($"invalid path: must be relative path: {path}", nameof(path));
        }

        if (path.Split('/').Contains("..") || path.StartsWith("..", StringComparison.Ordinal))
        {
            throw new ArgumentException($"invalid path: must not contain '..': {path}", nameof(path));
        }
    }

    private static bool Same(string dir, IReadOnlyDictionary<string, FileProjection> payload)
    {
        var existing = Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(dir, f)).ToHashSet(StringComparer.Ordinal);
        if (!existing.SetEquals(payload.Keys))
        {
            return false;
        }

        foreach (var (path, file) in payload)
        {
            var full = Path.Combine(dir, path);
            if (FileModes.Get(full) != file.Mode || !File.ReadAllBytes(full).AsSpan().SequenceEqual(file.Data))
            {
                return false;
            }
        }

        return true;
    }
}
