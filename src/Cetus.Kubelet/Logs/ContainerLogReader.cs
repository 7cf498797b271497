using System.Globalization;
using Microsoft.Win32.SafeHandles;

namespace Cetus.Kubelet.Logs;

/// <summary>
/// Reads a container's CRI log file for <c>kubectl logs</c>, as the kubelet's ReadLogs does: the content of each
/// line (partial lines joined), optionally prefixed with its timestamp, honouring tailLines (found by reading the file
/// backwards), sinceTime and limitBytes; following the file after its end until the container stops, across log
/// rotation (the file renamed away and a new one created at the path).
/// </summary>
public static class ContainerLogReader
{
    /// <summary>How often a follower at the end of the file looks for new data (upstream: fsnotify, with a 1 s forced check).</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    private const int BlockSize = 64 * 1024;

    /// <summary>
    /// Writes the log at <paramref name="path"/> to <paramref name="output"/>, flushing after each batch. When
    /// following, waits at the end of the file (polling every <see cref="PollInterval"/> on <paramref name="time"/>)
    /// until <paramref name="isRunning"/> says the container has stopped, then writes what is left and returns.
    /// A missing file is a <see cref="FileNotFoundException"/>; lines not in the CRI format are passed through as they
    /// are. Cancellation ends a follow with an <see cref="OperationCanceledException"/>.
    /// </summary>
    public static async Task ReadAsync(string path, PodLogOptions options, Stream output, Func<CancellationToken, Task<bool>> isRunning, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(isRunning);
        ArgumentNullException.ThrowIfNull(time);

        var file = Open(path) ?? throw new FileNotFoundException($"log file \"{path}\" does not exist", path);
        try
        {
            if (!options.Follow && options.TailLines == 0)
            {
                return;
            }

            var sink = new LogSink(options);
            var position = options.TailLines is { } tail ? FindTailStart(file, tail) : 0;
            var identity = Identity(file);
            var buffer = new byte[BlockSize];
            SafeFileHandle? next = null;
            var draining = false;
            try
            {
                while (true)
                {
                    var read = await RandomAccess.ReadAsync(file, buffer, position, cancellationToken).ConfigureAwait(false);
                    if (read > 0)
                    {
                        position += read;
                        sink.Feed(buffer.AsSpan(0, read));
                        await sink.FlushAsync(output, cancellationToken).ConfigureAwait(false);
                        if (sink.Done)
                        {
                            return;
                        }

                        continue;
                    }

                    if (next is not null)
                    {
                        // The rotated file is read to its end (its writer had moved to the new one before the new
                        // one existed): continue from the start of the new file.
                        sink.EndOfFile();
                        file.Dispose();
                        (file, next, position) = (next, null, 0);
                        identity = Identity(file);
                        continue;
                    }

                    if (!options.Follow || draining)
                    {
                        sink.End();
                        await sink.FlushAsync(output, cancellationToken).ConfigureAwait(false);
                        return;
                    }

                    if (Rotated(file, identity, path, position))
                    {
                        next = Open(path);
                        if (next is not null)
                        {
                            continue;
                        }
                    }

                    if (!await isRunning(cancellationToken).ConfigureAwait(false))
                    {
                        // Read what the container wrote before it stopped, then end.
                        draining = true;
                        continue;
                    }

                    await Task.Delay(PollInterval, time, cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                next?.Dispose();
            }
        }
        finally
        {
            file.Dispose();
        }
    }

    /// <summary>
    /// The offset where the last <paramref name="lines"/> full lines of the file start (P fragments belong to the line
    /// their F line ends), found by reading blocks from the end: the cost follows the lines asked for, not the file.
    /// </summary>
    internal static long FindTailStart(SafeFileHandle file, long lines, int blockSize = BlockSize)
    {
        var length = RandomAccess.GetLength(file);
        var block = new byte[blockSize];
        var full = 0L;
        // The newline ending the line being scanned backwards (-1: a trailing line without newline, not counted).
        var lineEnd = -1L;
        for (var blockEnd = length; blockEnd > 0; blockEnd -= blockSize)
        {
            var blockStart = Math.Max(0, blockEnd - blockSize);
            var count = (int)(blockEnd - blockStart);
            RandomAccess.Read(file, block.AsSpan(0, count), blockStart);
            for (var i = count - 1; i >= 0; i--)
            {
                if (block[i] != '\n')
                {
                    continue;
                }

                if (lineEnd >= 0 && IsFullLineEnding(file, blockStart + i + 1, lineEnd, lines, ref full))
                {
                    return lineEnd + 1;
                }

                lineEnd = blockStart + i;
            }
        }

        return lineEnd >= 0 && IsFullLineEnding(file, 0, lineEnd, lines, ref full) ? lineEnd + 1 : 0;
    }

    // Counts the line [start, end] when it is a full one; true when it is the one before the last `lines` full lines.
    private static bool IsFullLineEnding(SafeFileHandle file, long start, long end, long lines, ref long full)
    {
        if (end > start && CriLogLine.IsPartialAt(file, start))
        {
            return false;
        }

        return ++full > lines;
    }

    private static SafeFileHandle? Open(string path)
    {
        try
        {
            // Delete sharing: rotation renames the file while it is being read.
            return File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    // The name the open file has now (Linux: the /proc/self/fd link), to see it renamed or deleted; null elsewhere.
    private static string? Identity(SafeFileHandle file)
    {
        try
        {
            var fd = file.DangerousGetHandle().ToInt64().ToString(CultureInfo.InvariantCulture);
            return new FileInfo("/proc/self/fd/" + fd).LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    // Whether the path no longer names the open file: renamed away (rotation) or deleted.
    private static bool Rotated(SafeFileHandle file, string? identity, string path, long position)
    {
        if (identity is not null && Identity(file) is { } now)
        {
            return now != identity;
        }

        // Without /proc: a missing path, or one shorter than what was read, is another file.
        var info = new FileInfo(path);
        return !info.Exists || info.Length < position;
    }
}
