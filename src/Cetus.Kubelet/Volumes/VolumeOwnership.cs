using k8s.Models;

namespace Cetus.Kubelet.Volumes;

/// <summary>
/// fsGroup ownership of the volumes the kubelet manages (Kubernetes' volume.SetVolumeOwnership, which emptyDir,
/// configMap, secret, downwardAPI and projected call; hostPath does not): every entry under the volume gets group
/// fsGroup; files gain group read and write (read only for read-only volumes), directories also group execute and
/// the setgid bit, so that what containers create there inherits the group. Symlinks get the group only. These volume
/// types pass no fsGroupChangePolicy upstream, so the change always applies (OnRootMismatch concerns other volumes).
/// </summary>
public static class VolumeOwnership
{
    private const int ReadWriteMask = 0b110_110_000; // 0660
    private const int ReadOnlyMask = 0b100_100_000; // 0440
    private const int ExecMask = 0b001_001_000; // 0110
    private const int SetGid = 0b010_000_000_000; // 02000

    /// <summary>The mode a file of a volume gets with an fsGroup (its own bits plus the group's).</summary>
    public static int FileMode(int mode, bool readOnly) => mode | (readOnly ? ReadOnlyMask : ReadWriteMask);

    /// <summary>Gives <paramref name="directory"/> and everything under it group <paramref name="fsGroup"/> and the group bits.</summary>
    public static void Set(string directory, long fsGroup, bool readOnly)
    {
        Change(directory, fsGroup, readOnly);
        foreach (var entry in Directory.EnumerateFileSystemEntries(directory, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = false }))
        {
            Change(entry, fsGroup, readOnly);
        }
    }

    /// <summary>
    /// The user that owns projected service account token files (Kubernetes' FsUserFrom): the effective runAsUser when
    /// every init and app container has one and they are all the same; else null.
    /// </summary>
    public static long? FsUser(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        long? user = null;
        foreach (var container in (pod.Spec.InitContainers ?? []).Concat(pod.Spec.Containers ?? []))
        {
            if ((container.SecurityContext?.RunAsUser ?? pod.Spec.SecurityContext?.RunAsUser) is not { } uid || (user is not null && user != uid))
            {
                return null;
            }

            user = uid;
        }

        return user;
    }

    private static void Change(string path, long fsGroup, bool readOnly)
    {
        NativeMethods.Lchown(path, -1, fsGroup);
        var info = new FileInfo(path);
        if (info.LinkTarget is not null)
        {
            // A symlink's own mode means nothing (chmod would change its target).
            return;
        }

        var mask = readOnly ? ReadOnlyMask : ReadWriteMask;
        if (info.Attributes.HasFlag(FileAttributes.Directory))
        {
            mask |= ExecMask | SetGid;
        }

        var mode = (int)info.UnixFileMode;
        if ((mode | mask) != mode)
        {
            FileModes.Set(path, mode | mask);
        }
    }
}
