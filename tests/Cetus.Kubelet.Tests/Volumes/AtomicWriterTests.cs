using System.Text;
using Cetus.Kubelet.Volumes;
using Xunit;

namespace Cetus.Kubelet.Tests.Volumes;

/// <summary>The atomic writer's layout and updates, on a real temporary directory.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class AtomicWriterTests : IDisposable
{
    private static readonly DateTime Now = new(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);
    private readonly string _dir = Path.Combine(Directory.CreateTempSubdirectory("cetus-atomic-").FullName, "vol");

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(_dir)!, recursive: true);

    [Fact]
    public void Write_PutsFilesInATimestampedDir_LinkedByDotDotData_AndUserVisibleLinks()
    {
        Assert.True(AtomicWriter.Write(_dir, Payload(("a.txt", "A"), ("sub/b.txt", "B")), Now));

        var target = new FileInfo(Path.Combine(_dir, "..data")).LinkTarget;
        Assert.NotNull(target);
        Assert.StartsWith("..2026_01_01_12_00_00.", target, StringComparison.Ordinal);
        Assert.Equal("..data/a.txt", new FileInfo(Path.Combine(_dir, "a.txt")).LinkTarget);
        Assert.Equal("..data/sub", new FileInfo(Path.Combine(_dir, "sub")).LinkTarget);
        Assert.Equal("A", File.ReadAllText(Path.Combine(_dir, "a.txt")));
        Assert.Equal("B", File.ReadAllText(Path.Combine(_dir, "sub", "b.txt")));
        Assert.Equal(new[] { "..data", "a.txt", "sub", target }.Order(StringComparer.Ordinal), Directory.EnumerateFileSystemEntries(_dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Write_OfTheSamePayload_ChangesNothing_AndAChangeSwapsTheDataDir()
    {
        AtomicWriter.Write(_dir, Payload(("a.txt", "A"), ("old.txt", "O")), Now);
        var first = new FileInfo(Path.Combine(_dir, "..data")).LinkTarget;
        Assert.False(AtomicWriter.Write(_dir, Payload(("a.txt", "A"), ("old.txt", "O")), Now.AddSeconds(5)));
        Assert.Equal(first, new FileInfo(Path.Combine(_dir, "..data")).LinkTarget);

        Assert.True(AtomicWriter.Write(_dir, Payload(("a.txt", "A2")), Now.AddSeconds(10)));

        var second = new FileInfo(Path.Combine(_dir, "..data")).LinkTarget;
        Assert.NotEqual(first, second);
        Assert.Equal("A2", File.ReadAllText(Path.Combine(_dir, "a.txt")));
        Assert.False(Path.Exists(Path.Combine(_dir, "old.txt")));
        Assert.False(Directory.Exists(Path.Combine(_dir, first!)));
        Assert.Equal(new[] { "..data", "a.txt", second }.Order(StringComparer.Ordinal), Directory.EnumerateFileSystemEntries(_dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Write_SetsEachFilesMode_AndAModeChangeIsAChange()
    {
        AtomicWriter.Write(_dir, new Dictionary<string, FileProjection> { ["k"] = new(Encoding.UTF8.GetBytes("v"), Convert.ToInt32("400", 8)) }, Now);
        Assert.Equal(UnixFileMode.UserRead, File.GetUnixFileMode(Path.Combine(_dir, "..data", "k")));

        Assert.True(AtomicWriter.Write(_dir, new Dictionary<string, FileProjection> { ["k"] = new(Encoding.UTF8.GetBytes("v"), Convert.ToInt32("644", 8)) }, Now));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(Path.Combine(_dir, "..data", "k")));
    }

    [Theory]
    [InlineData("/etc/passwd")]
    [InlineData("../escape")]
    [InlineData("a/../../b")]
    [InlineData("..hidden")]
    [InlineData("")]
    public void Write_RejectsPathsOutsideTheVolume(string path) =>
        Assert.Throws<ArgumentException>(() => AtomicWriter.Write(_dir, Payload((path, "x")), Now));

    private static Dictionary<string, FileProjection> Payload(params (string Path, string Content)[] files) =>
        files.ToDictionary(f => f.Path, f => new FileProjection(Encoding.UTF8.GetBytes(f.Content), 420));
}
