using Cetus.Api.Scheme;

namespace Cetus.Api.Resources.Printing;

/// <summary>The base of a kind's Table columns: the API server hands over objects, the kind works on its own type.</summary>
/// <typeparam name="T">The model type.</typeparam>
public abstract class TableConvertor<T> : ITableConvertor
    where T : class
{
    /// <inheritdoc />
    public abstract IReadOnlyList<TableColumn> Columns { get; }

    /// <inheritdoc />
    public object?[] Cells(object item, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(item);
        return Row((T)item, now);
    }

    /// <summary>
    /// The cells of <paramref name="item"/>, wide columns included: kube-apiserver always renders the wide form and
    /// lets the client pick columns by priority.
    /// </summary>
    protected abstract object?[] Row(T item, DateTimeOffset now);
}
