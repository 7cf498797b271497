namespace Cetus.Kubelet.Logs;

/// <summary>
/// One line of a CRI log file as containerd writes it: <c>TIMESTAMP STREAM TAGS CONTENT</c>, STREAM stdout or stderr,
/// TAGS colon-separated with the first one P (a partial line, continued by the next ones) or F (a full line).
/// </summary>
/// <param name="Timestamp">When the runtime received the output.</param>
/// <param name="Stderr">True for stderr, false for stdout.</param>
/// <param name="Partial">True when the line is a fragment to be joined with the following one(s).</param>
/// <param name="ContentStart">Where the content starts in the parsed line.</param>
internal readonly record struct CriLogLine(LogTimestamp Timestamp, bool Stderr, bool Partial, int ContentStart)
{
    /// <summary>Parses <paramref name="line"/> (without its newline); false when it is not in the CRI format.</summary>
    public static bool TryParse(ReadOnlySpan<byte> line, out CriLogLine parsed)
    {
        parsed = default;
        var first = line.IndexOf((byte)' ');
        if (first < 0 || !LogTimestamp.TryParse(line[..first], out var timestamp))
        {
            return false;
        }

        var afterStream = line[(first + 1)..];
        var second = afterStream.IndexOf((byte)' ');
        if (second < 0)
        {
            return false;
        }

        var stream = afterStream[..second];
        var stderr = stream.SequenceEqual("stderr"u8);
        if (!stderr && !stream.SequenceEqual("stdout"u8))
        {
            return false;
        }

        var afterTags = afterStream[(second + 1)..];
        var third = afterTags.IndexOf((byte)' ');
        if (third < 0)
        {
            // A line with an empty content may end right after its tag.
            third = afterTags.Length;
        }

        var tags = afterTags[..third];
        var colon = tags.IndexOf((byte)':');
        var partial = (colon < 0 ? tags : tags[..colon]).SequenceEqual("P"u8);
        parsed = new CriLogLine(timestamp, stderr, partial, Math.Min(line.Length, first + 1 + second + 1 + third + 1));
        return true;
    }

    /// <summary>
    /// Whether the line starting at <paramref name="start"/> of <paramref name="file"/> is a partial one (P), reading
    /// only its head; a malformed line counts as full.
    /// </summary>
    public static bool IsPartialAt(Microsoft.Win32.SafeHandles.SafeFileHandle file, long start)
    {
        Span<byte> head = stackalloc byte[96];
        var read = RandomAccess.Read(file, head, start);
        head = head[..read];
        var newline = head.IndexOf((byte)'\n');
        if (newline >= 0)
        {
            head = head[..newline];
        }

        return TryParse(head, out var parsed) && parsed.Partial;
    }
}
