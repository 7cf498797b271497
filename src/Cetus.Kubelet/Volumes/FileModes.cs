namespace Cetus.Kubelet.Volumes;

/// <summary>Unix permission bits of the files the kubelet writes (no-ops on Windows, where the kubelet does not run pods).</summary>
internal static class FileModes
{
    /// <summary>Sets <paramref name="path"/>'s mode (e.g. 0644 = 420).</summary>
    public static void Set(string path, int mode)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, (UnixFileMode)mode);
        }
    }

    /// <summary>The mode of <paramref name="path"/> (permission bits only).</summary>
    public static int Get(string path) => OperatingSystem.IsWindows() ? 0 : (int)File.GetUnixFileMode(path);

    /// <summary>Writes a new file created with <paramref name="mode"/> from the start (never more readable than that, even for a moment).</summary>
    public static void WriteNew(string path, byte[] data, int mode)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = (UnixFileMode)mode;
        }

        using (var stream = new FileStream(path, options))
        {
            stream.Write(data);
        }

        // The umask may have taken bits away.
        Set(path, mode);
    }

    /// <summary>Octal text to a mode ("644" → 420).</summary>
    public static int Octal(string text) => Convert.ToInt32(text, 8);
}
