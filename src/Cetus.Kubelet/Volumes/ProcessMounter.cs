using System.Diagnostics;
using System.Globalization;

namespace Cetus.Kubelet.Volumes;

/// <summary>
/// <see cref="IMounter"/> through the mount(8) and umount(8) programs (as Kubernetes' mount-utils does); mount points
/// are read from /proc/self/mountinfo. Needs root.
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
        // Field 5 of each mountinfo line is the mount point, with space, tab, newline and backslash escaped as octal:
        // the path is escaped once and compared as it stands (a sync asks this for each volume, and a node with many
        // pods has hundreds of mounts). Lines that do not contain it are not split.
        var escaped = Path.GetFullPath(path).TrimEnd('/')
            .Replace("\\", "\\134", StringComparison.Ordinal)
            .Replace(" ", "\\040", StringComparison.Ordinal)
            .Replace("\t", "\\011", StringComparison.Ordinal)
            .Replace("\n", "\\012", StringComparison.Ordinal);
        var needle = " " + escaped + " ";
        try
        {
            return File.ReadLines("/proc/self/mountinfo").Any(line => line.Contains(needle, StringComparison.Ordinal) && line.Split(' ') is { Length: > 4 } fields && fields[4] == escaped);
        }
        catch (IOException)
        {
            return false;
        }
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
