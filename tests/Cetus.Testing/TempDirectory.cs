namespace Cetus.Testing;

/// <summary>A directory of its own for one test, removed afterwards.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory(string purpose)
    {
        Path = Directory.CreateTempSubdirectory($"cetus-{purpose}-").FullName;
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        UnmountUnder(Path);
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A child process may still be letting go of a file; the temp folder is cleaned by the system.
        }
    }

    /// <summary>
    /// Unmounts what is mounted under <paramref name="path"/>, deepest first: a kubelet stopped with its pods still
    /// there leaves their tmpfs volumes (secret, projected, memory emptyDir) mounted, as the real kubelet does.
    /// </summary>
    public static void UnmountUnder(string path)
    {
        const string mountInfo = "/proc/self/mountinfo";
        if (!OperatingSystem.IsLinux() || !System.IO.File.Exists(mountInfo))
        {
            return;
        }

        var root = System.IO.Path.GetFullPath(path).TrimEnd('/') + "/";
        var targets = System.IO.File.ReadLines(mountInfo)
            .Select(line => line.Split(' '))
            .Where(fields => fields.Length > 4)
            .Select(fields => System.Text.RegularExpressions.Regex.Replace(fields[4], @"\\([0-7]{3})", m => ((char)Convert.ToInt32(m.Groups[1].Value, 8)).ToString()))
            .Where(target => target.StartsWith(root, StringComparison.Ordinal))
            .OrderByDescending(target => target.Length)
            .ToList();
        foreach (var target in targets)
        {
            using var umount = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("umount", [target]) { UseShellExecute = false, RedirectStandardError = true });
            umount?.WaitForExit();
        }
    }
}
