using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Cetus.Kubelet.Volumes;

/// <summary>
/// <see cref="IMounter"/> through the mount(8) and umount(8) programs (as Kubernetes' mount-utils does); a mount point
/// is a directory on another device than its parent. Needs root.
/// </summary>
public sealed class ProcessMounter : IMounter
{
    /// <inheritdoc/>
    public Task MountTmpfsAsync(string target, long? sizeBytes, CancellationToken cancellationToken)
    {
        List<string> args = ["-t", "tmpfs"];
        if (sizeBytes is { } size)
        {
            args.AddRange(["-o", "size=" + size.ToString(CultureInfo.InvariantCulture)]);
        }

        args.AddRange(["tmpfs", target]);
        return RunAsync("mount", args, cancellationToken);
    }

    /// <inheritdoc/>
    public Task UnmountAsync(string target, CancellationToken cancellationToken) => RunAsync("umount", [target], cancellationToken);

    /// <inheritdoc/>
    public bool IsMountPoint(string path)
    {
        // As upstream's mount-utils IsLikelyNotMountPoint: a mount point lives on another device than its parent.
        // Every mount the kubelet makes is a tmpfs, a device of its own, so the answer is exact for them (a bind mount
        // of the same filesystem would not be seen, and the kubelet makes none). Two stat(2) calls instead of reading
        // /proc/self/mountinfo: the kernel formats every mount of the node for each read (hundreds with 100 pods, each
        // container's rootfs and each sandbox's shm), and a sync asks this for each memory-backed volume.
        var full = Path.GetFullPath(path).TrimEnd('/');
        if (full.Length == 0)
        {
            return true;
        }

        var parent = Path.GetDirectoryName(full) ?? "/";
        return DeviceOf(full) is { } device && DeviceOf(parent) is { } parentDevice && device != parentDevice;
    }

    // st_dev of the file at path (following symbolic links); null when it cannot be read (it does not exist).
    private static ulong? DeviceOf(string path) => stat(path, out var buffer) == 0 ? buffer.Device : null;

#pragma warning disable SA1300, IDE1006, CA5392 // libc's name; libc.so.6 is the system library, found by the loader
    // glibc 2.33 and later export stat itself (Debian 12 has 2.36).
    [DllImport("libc.so.6", SetLastError = true)]
    private static extern int stat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, out StatBuffer buffer);
#pragma warning restore SA1300, IDE1006, CA5392

    // struct stat on Linux x86-64 is 144 bytes with st_dev first; the rest is not read.
    [StructLayout(LayoutKind.Sequential, Size = 256)]
    private struct StatBuffer
    {
        public ulong Device;
    }

    private static async Task RunAsync(string program, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new IOException($"cannot start {program}");
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.StandardOutput.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new IOException($"{program} {string.Join(' ', args)} failed (exit {process.ExitCode}): {(await error.ConfigureAwait(false)).Trim()}");
        }
    }
}
