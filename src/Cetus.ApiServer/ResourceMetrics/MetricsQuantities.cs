using System.Globalization;

namespace Cetus.ApiServer.ResourceMetrics;

/// <summary>
/// Writes usage as canonical resource quantities, as metrics-server's do: CPU as a decimal quantity of nanocores
/// (<c>12m</c>, <c>123456n</c>, <c>2</c>), memory as a binary quantity of bytes (<c>1234Ki</c>, <c>5Mi</c>,
/// <c>1000000</c>): the largest suffix that keeps the number whole.
/// </summary>
public static class MetricsQuantities
{
    private static readonly (ulong Divisor, string Suffix)[] CpuSuffixes =
    [
        (1_000_000_000_000_000_000, "G"),
        (1_000_000_000_000_000, "M"),
        (1_000_000_000_000, "k"),
        (1_000_000_000, string.Empty),
        (1_000_000, "m"),
        (1_000, "u"),
        (1, "n"),
    ];

    private static readonly (ulong Divisor, string Suffix)[] MemorySuffixes =
    [
        (1UL << 60, "Ei"),
        (1UL << 50, "Pi"),
        (1UL << 40, "Ti"),
        (1UL << 30, "Gi"),
        (1UL << 20, "Mi"),
        (1UL << 10, "Ki"),
        (1, string.Empty),
    ];

    /// <summary>CPU from nanocores.</summary>
    public static string Cpu(ulong nanoCores) => Format(nanoCores, CpuSuffixes);

    /// <summary>Memory from bytes.</summary>
    public static string Memory(ulong bytes) => Format(bytes, MemorySuffixes);

    private static string Format(ulong value, (ulong Divisor, string Suffix)[] suffixes)
    {
        if (value == 0)
        {
            return "0";
        }

        foreach (var (divisor, suffix) in suffixes)
        {
            if (value % divisor == 0)
            {
                return (value / divisor).ToString(CultureInfo.InvariantCulture) + suffix;
            }
        }

        return value.ToString(CultureInfo.InvariantCulture);
    }
}
