using System.Globalization;
using System.Text;

namespace Cetus.Kubelet.Tests.Logs;

/// <summary>A temporary directory of CRI log files, deleted on dispose, and the line format containerd writes.</summary>
internal sealed class LogFiles : IDisposable
{
    public static readonly DateTimeOffset T0 = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("cetus-logs-").FullName;

    public string PathOf(string name) => Path.Combine(Directory, name);

    /// <summary>One CRI line: RFC3339Nano timestamp, stream, tag, text, newline.</summary>
    public static string Line(string text, char tag = 'F', string stream = "stdout", double seconds = 0) =>
        (T0 + TimeSpan.FromSeconds(seconds)).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture) + $" {stream} {tag} {text}\n";

    public string Write(string name, string content)
    {
        var path = PathOf(name);
        File.WriteAllText(path, content);
        return path;
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}

/// <summary>An output stream a test can read while a follower writes to it, counting flushes.</summary>
internal sealed class CaptureStream : Stream
{
    private readonly Lock _lock = new();
    private readonly MemoryStream _bytes = new();
    private int _flushes;

    public string Text
    {
        get
        {
            lock (_lock)
            {
                return Encoding.UTF8.GetString(_bytes.ToArray());
            }
        }
    }

    public int Flushes => Volatile.Read(ref _flushes);

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Flush() => Interlocked.Increment(ref _flushes);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count)
    {
        lock (_lock)
        {
            _bytes.Write(buffer, offset, count);
        }
    }
}
