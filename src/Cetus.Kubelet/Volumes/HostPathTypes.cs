namespace Cetus.Kubelet.Volumes;

/// <summary>The hostPath type checks of Kubernetes' hostPath plugin (DirectoryOrCreate, Directory, FileOrCreate, File, Socket, CharDevice, BlockDevice).</summary>
public static class HostPathTypes
{
    /// <summary>Checks (and for the *OrCreate types creates) <paramref name="path"/>; an <see cref="IOException"/> says what is wrong.</summary>
    public static void Check(string path, string? type)
    {
        switch (type ?? string.Empty)
        {
            case "":
                // No check (the default).
                return;
            case "DirectoryOrCreate":
                if (!Path.Exists(path))
                {
                    Directory.CreateDirectory(path);
                    FileModes.Set(path, FileModes.Octal("755"));
                    return;
                }

                goto case "Directory";
            case "Directory":
                Require(Directory.Exists(path), path, "is not a directory");
                return;
            case "FileOrCreate":
                if (!Path.Exists(path))
                {
                    // As upstream: the parent must exist.
                    using (File.Create(path))
                    {
                    }

                    FileModes.Set(path, FileModes.Octal("644"));
                    return;
                }

                goto case "File";
            case "File":
                Require(File.Exists(path) && Kind(path) == FileKind.Regular, path, "is not a file");
                return;
            case "Socket":
                Require(Kind(path) == FileKind.Socket, path, "is not a socket file");
                return;
            case "CharDevice":
                Require(Kind(path) == FileKind.CharDevice, path, "is not a character device");
                return;
            case "BlockDevice":
                Require(Kind(path) == FileKind.BlockDevice, path, "is not a block device");
                return;
            default:
                throw new IOException($"hostPath type check failed: unknown type {type}");
        }
    }

    private enum FileKind
    {
        Missing,
        Regular,
        Directory,
        Socket,
        CharDevice,
        BlockDevice,
        Other,
    }

    private static void Require(bool ok, string path, string what)
    {
        if (!ok)
        {
            throw new IOException($"hostPath type check failed: {path} {what}");
        }
    }

    // .NET's file APIs cannot tell sockets and devices apart; stat(1) can (%F is the type in words, -L follows links).
    private static FileKind Kind(string path)
    {
        if (!Path.Exists(path))
        {
            return FileKind.Missing;
        }

        if (Directory.Exists(path))
        {
            return FileKind.Directory;
        }

        var start = new System.Diagnostics.ProcessStartInfo("stat") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "-L", "-c", "%F", path })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = System.Diagnostics.Process.Start(start) ?? throw new IOException("cannot start stat");
        var type = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        return type switch
        {
            "regular file" or "regular empty file" => FileKind.Regular,
            "socket" => FileKind.Socket,
            "character special file" => FileKind.CharDevice,
            "block special file" => FileKind.BlockDevice,
            _ => FileKind.Other,
        };
    }
}
