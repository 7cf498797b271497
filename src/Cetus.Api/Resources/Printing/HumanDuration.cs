using System.Globalization;

namespace Cetus.Api.Resources.Printing;

/// <summary>
/// Durations the way kubectl and Table cells show them (duration.HumanDuration): two or three significant figures,
/// <c>45s</c>, <c>3m5s</c>, <c>12m</c>, <c>5h3m</c>, <c>20h</c>, <c>3d4h</c>, <c>30d</c>, <c>2y10d</c>, <c>9y</c>.
/// </summary>
public static class HumanDuration
{
    /// <summary>What an unset timestamp prints as.</summary>
    public const string Unknown = "<unknown>";

    /// <summary>Formats a duration; up to a second in the future counts as now (clock skew), further is <c>&lt;invalid&gt;</c>.</summary>
    public static string Format(TimeSpan duration)
    {
        // Go truncates toward zero: -1.5s is -1, which is tolerated.
        var seconds = (long)duration.TotalSeconds;
        if (seconds < -1)
        {
            return "<invalid>";
        }

        if (seconds < 0)
        {
            return "0s";
        }

        if (seconds < 60 * 2)
        {
            return Text($"{seconds}s");
        }

        var minutes = seconds / 60;
        if (minutes < 10)
        {
            var s = seconds % 60;
            return s == 0 ? Text($"{minutes}m") : Text($"{minutes}m{s}s");
        }

        if (minutes < 60 * 3)
        {
            return Text($"{minutes}m");
        }

        var hours = seconds / 3600;
        if (hours < 8)
        {
            var m = minutes % 60;
            return m == 0 ? Text($"{hours}h") : Text($"{hours}h{m}m");
        }

        if (hours < 48)
        {
            return Text($"{hours}h");
        }

        if (hours < 24 * 8)
        {
            var h = hours % 24;
            return h == 0 ? Text($"{hours / 24}d") : Text($"{hours / 24}d{h}h");
        }

        if (hours < 24 * 365 * 2)
        {
            return Text($"{hours / 24}d");
        }

        if (hours < 24 * 365 * 8)
        {
            var days = hours / 24 % 365;
            return days == 0 ? Text($"{hours / 24 / 365}y") : Text($"{hours / 24 / 365}y{days}d");
        }

        return Text($"{hours / 24 / 365}y");
    }

    /// <summary>
    /// The age of <paramref name="timestamp"/> at <paramref name="now"/> (translateTimestampSince); an unset
    /// timestamp is <c>&lt;unknown&gt;</c>. Timestamps of unspecified kind are taken as UTC, as the wire format is.
    /// </summary>
    public static string Since(DateTime? timestamp, DateTimeOffset now) =>
        timestamp is not { } value || value == DateTime.MinValue ? Unknown : Format(now - ToOffset(value));

    private static DateTimeOffset ToOffset(DateTime value) => value.Kind switch
    {
        DateTimeKind.Local => new DateTimeOffset(value.ToUniversalTime(), TimeSpan.Zero),
        _ => new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Utc), TimeSpan.Zero),
    };

    private static string Text(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
