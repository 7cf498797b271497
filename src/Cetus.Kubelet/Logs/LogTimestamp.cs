using System.Globalization;
using System.Text;

namespace Cetus.Kubelet.Logs;

/// <summary>
/// A timestamp as CRI log lines carry it (Go's RFC3339Nano: <c>2026-01-02T15:04:05.123456789Z</c>, a numeric offset
/// instead of Z allowed, 0 to 9 fraction digits). Keeps the nanoseconds and the written offset, so that the kubelet
/// prints it back as upstream does (RFC3339NanoFixed: always 9 fraction digits).
/// </summary>
/// <param name="Time">The instant, to .NET's 100 ns precision (with the offset it was written with).</param>
/// <param name="Nanoseconds">The fraction of the second in nanoseconds (0 to 999,999,999).</param>
public readonly record struct LogTimestamp(DateTimeOffset Time, int Nanoseconds)
{
    /// <summary>Parses an RFC 3339 timestamp with an optional fraction of up to 9 digits; false when it is not one.</summary>
    public static bool TryParse(ReadOnlySpan<byte> text, out LogTimestamp timestamp)
    {
        timestamp = default;
        // yyyy-MM-ddTHH:mm:ss then [.f{1,9}] then Z or ±HH:MM
        if (text.Length < 20 || text[4] != '-' || text[7] != '-' || (text[10] != 'T' && text[10] != 't') || text[13] != ':' || text[16] != ':')
        {
            return false;
        }

        if (!Digits(text[..4], out var year) || !Digits(text.Slice(5, 2), out var month) || !Digits(text.Slice(8, 2), out var day)
            || !Digits(text.Slice(11, 2), out var hour) || !Digits(text.Slice(14, 2), out var minute) || !Digits(text.Slice(17, 2), out var second))
        {
            return false;
        }

        var rest = text[19..];
        var nanos = 0;
        if (rest.Length > 0 && rest[0] == '.')
        {
            var digits = 0;
            while (digits + 1 < rest.Length && char.IsAsciiDigit((char)rest[digits + 1]))
            {
                digits++;
            }

            if (digits is 0 or > 9 || !Digits(rest.Slice(1, digits), out nanos))
            {
                return false;
            }

            for (var i = digits; i < 9; i++)
            {
                nanos *= 10;
            }

            rest = rest[(digits + 1)..];
        }

        TimeSpan offset;
        if (rest.Length == 1 && (rest[0] == 'Z' || rest[0] == 'z'))
        {
            offset = TimeSpan.Zero;
        }
        else if (rest.Length == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':' && Digits(rest.Slice(1, 2), out var offsetHours) && Digits(rest.Slice(4, 2), out var offsetMinutes) && offsetHours < 24 && offsetMinutes < 60)
        {
            offset = new TimeSpan(offsetHours, offsetMinutes, 0) * (rest[0] == '-' ? -1 : 1);
        }
        else
        {
            return false;
        }

        if (month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(Math.Max(1, year), month) || hour > 23 || minute > 59 || second > 59 || year < 1)
        {
            return false;
        }

        try
        {
            var time = new DateTimeOffset(year, month, day, hour, minute, second, offset).AddTicks(nanos / 100);
            timestamp = new LogTimestamp(time, nanos);
            return true;
        }
        catch (ArgumentOutOfRangeException)
        {
            return false;
        }
    }

    /// <summary>Parses a string (see <see cref="TryParse(ReadOnlySpan{byte}, out LogTimestamp)"/>).</summary>
    public static bool TryParse(string text, out LogTimestamp timestamp) => TryParse(Encoding.UTF8.GetBytes(text ?? string.Empty), out timestamp);

    /// <summary>The longest text of <see cref="Format"/>: date, time, 9 fraction digits and a numeric offset.</summary>
    public const int MaxLength = 35;

    /// <summary>As upstream's RFC3339NanoFixed: the written local time, 9 fraction digits, Z for a zero offset.</summary>
    public override string ToString()
    {
        Span<byte> text = stackalloc byte[MaxLength];
        return Encoding.ASCII.GetString(text[..Format(text)]);
    }

    /// <summary>Writes <see cref="ToString"/>'s text as UTF-8 into <paramref name="destination"/> (at least <see cref="MaxLength"/> bytes); returns its length.</summary>
    public int Format(Span<byte> destination)
    {
        Time.TryFormat(destination, out var written, "yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
        destination[written++] = (byte)'.';
        Nanoseconds.TryFormat(destination[written..], out var digits, "D9", CultureInfo.InvariantCulture);
        written += digits;
        if (Time.Offset == TimeSpan.Zero)
        {
            destination[written++] = (byte)'Z';
            return written;
        }

        Time.TryFormat(destination[written..], out var zone, "zzz", CultureInfo.InvariantCulture);
        return written + zone;
    }

    private static bool Digits(ReadOnlySpan<byte> text, out int value)
    {
        value = 0;
        foreach (var b in text)
        {
            if (!char.IsAsciiDigit((char)b))
            {
                return false;
            }

            value = (value * 10) + (b - '0');
        }

        return text.Length > 0;
    }
}
