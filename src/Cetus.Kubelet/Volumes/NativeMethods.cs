using System.ComponentModel;
using System.Runtime.InteropServices;

namespace Cetus.Kubelet.Volumes;

/// <summary>The libc calls .NET has no API for.</summary>
internal static class NativeMethods
{
    /// <summary>rename(2): replaces <paramref name="newPath"/> atomically, and moves a symlink itself (File.Move follows it).</summary>
    public static void Rename(string oldPath, string newPath)
    {
        if (rename(oldPath, newPath) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"rename {oldPath} {newPath}: {new Win32Exception(errno).Message}", errno);
        }
    }

    /// <summary>lchown(2): sets the owner and group of <paramref name="path"/> itself (-1 keeps one); a symlink is not followed.</summary>
    public static void Lchown(string path, long uid, long gid)
    {
        if (lchown(path, unchecked((uint)uid), unchecked((uint)gid)) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"lchown {path}: {new Win32Exception(errno).Message}", errno);
        }
    }

    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
#pragma warning disable SA1300, IDE1006 // libc's name
    private static extern int lchown([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint owner, uint group);

    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int rename([MarshalAs(UnmanagedType.LPUTF8Str)] string oldPath, [MarshalAs(UnmanagedType.LPUTF8Str)] string newPath);
#pragma warning restore SA1300, IDE1006
}
