using Cetus.Api.Scheme;
using Xunit;

namespace Cetus.Api.Tests.Tables;

/// <summary>A row rendered by a table, read by column name.</summary>
internal sealed class TableRow
{
    public static readonly DateTimeOffset Now = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly ITableConvertor _table;
    private readonly object?[] _cells;

    public TableRow(ITableConvertor table, object item)
    {
        _table = table;
        _cells = table.Cells(item, Now);
        Assert.Equal(table.Columns.Count, _cells.Length);
    }

    public object? this[string column]
    {
        get
        {
            var index = _table.Columns.ToList().FindIndex(c => c.Name == column);
            Assert.True(index >= 0, $"no column {column}");
            return _cells[index];
        }
    }

    /// <summary>A UTC timestamp <paramref name="ago"/> before <see cref="Now"/>.</summary>
    public static DateTime Ago(TimeSpan ago) => (Now - ago).UtcDateTime;
}
