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
        var full = Path.GetFullPath(path).TrimEnd('/');
        try
        {
            // Field 5 of each mountinfo line is the mount point, with spaces and such escaped as octal.
            return File.ReadLines("/proc/self/mountinfo").Any(line => line.Split(' ') is { Length: > 4 } fields && Unescape(fields[4]) == full);
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static string Unescape(string field) =>
        System.Text.RegularExpressions.Regex.Replace(field, @"\\([0-7]{3})", m => ((char)Convert.ToInt32(m.Groups[1].Value, 8)).ToString());

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
