using System.Buffers;

namespace Cetus.Kubelet.Logs;

/// <summary>
/// Turns the bytes of a CRI log file into what <c>kubectl logs</c> prints (upstream's logWriter plus the line
/// splitting of ReadLogs): each line's content, fragments of partial lines joined, one newline per full line, lines
/// before sinceTime dropped, an optional timestamp prefix, cut at limitBytes. Buffers output until <see cref="FlushAsync"/>.
/// </summary>
internal sealed class LogSink(PodLogOptions options)
{
    private readonly ArrayBufferWriter<byte> _output = new();
    private readonly ArrayBufferWriter<byte> _carry = new();
    private readonly ArrayBufferWriter<byte> _partial = new();
    private LogTimestamp? _partialTimestamp;
    private long _remaining = options.LimitBytes ?? long.MaxValue;

    /// <summary>True once limitBytes is reached: nothing more is written.</summary>
    public bool Done { get; private set; }

    /// <summary>Takes the next bytes of the file; complete lines are processed, the rest waits for its newline.</summary>
    public void Feed(ReadOnlySpan<byte> data)
    {
        while (!Done && data.Length > 0)
        {
            var newline = data.IndexOf((byte)'\n');
            if (newline < 0)
            {
                _carry.Write(data);
                return;
            }

            if (_carry.WrittenCount > 0)
            {
                _carry.Write(data[..newline]);
                Line(_carry.WrittenSpan);
                _carry.Clear();
            }
            else
            {
                Line(data[..newline]);
            }

            data = data[(newline + 1)..];
        }
    }

    /// <summary>The end of one file: a last line without newline is taken as it is, without one (as upstream).</summary>
    public void EndOfFile()
    {
        if (_carry.WrittenCount > 0 && !Done)
        {
            Line(_carry.WrittenSpan, newline: false);
        }

        _carry.Clear();
    }

    /// <summary>The end of the read: as upstream, an unfinished line (or partial fragments) is written without a newline.</summary>
    public void End()
    {
        EndOfFile();
        if (_partialTimestamp is { } timestamp && !Done)
        {
            Write(timestamp, _partial.WrittenSpan, [], newline: false);
        }

        _partial.Clear();
        _partialTimestamp = null;
    }

    /// <summary>Writes and flushes what was produced since the last flush.</summary>
    public async Task FlushAsync(Stream output, CancellationToken cancellationToken)
    {
        if (_output.WrittenCount == 0)
        {
            return;
        }

        await output.WriteAsync(_output.WrittenMemory, cancellationToken).ConfigureAwait(false);
        _output.Clear();
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private void Line(ReadOnlySpan<byte> line, bool newline = true)
    {
        if (!CriLogLine.TryParse(line, out var parsed))
        {
            // Not CRI: passed through as it is (upstream skips it; losing output helps nobody).
            Append(line);
            if (newline)
            {
                Append("\n"u8);
            }

            return;
        }

        var content = line[parsed.ContentStart..];
        if (parsed.Partial)
        {
            _partialTimestamp ??= parsed.Timestamp;
            _partial.Write(content);
            return;
        }

        if (_partialTimestamp is { } first)
        {
            // A joined line carries the time its first fragment was written.
            Write(first, _partial.WrittenSpan, content, newline);
            _partial.Clear();
            _partialTimestamp = null;
        }
        else
        {
            Write(parsed.Timestamp, [], content, newline);
        }
    }

    private void Write(LogTimestamp timestamp, ReadOnlySpan<byte> head, ReadOnlySpan<byte> content, bool newline = true)
    {
        if (options.SinceTime is { } since && timestamp.Time < since)
        {
            return;
        }

        if (options.Timestamps)
        {
            Span<byte> prefix = stackalloc byte[LogTimestamp.MaxLength + 1];
            var length = timestamp.Format(prefix);
            prefix[length++] = (byte)' ';
            Append(prefix[..length]);
        }

        Append(head);
        Append(content);
        if (newline)
        {
            Append("\n"u8);
        }
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        if (Done)
        {
            return;
        }

        if (bytes.Length >= _remaining)
        {
            bytes = bytes[..(int)_remaining];
            Done = true;
        }

        _output.Write(bytes);
        _remaining -= bytes.Length;
    }
}
