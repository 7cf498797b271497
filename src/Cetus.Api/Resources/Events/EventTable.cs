using Cetus.Api.Resources.Printing;
using Cetus.Api.Scheme;
using k8s.Models;

namespace Cetus.Api.Resources.Events;

/// <summary>Core v1 Events: Last Seen, Type, Reason, Object, Message, and wide: Subobject, Source, First Seen, Count, Name.</summary>
public sealed class EventTable : TableConvertor<Corev1Event>
{
    /// <inheritdoc />
    public override IReadOnlyList<TableColumn> Columns => EventRow.Columns;

    /// <inheritdoc />
    protected override object?[] Row(Corev1Event item, DateTimeOffset now) =>
        new EventRow(
            item.Metadata?.Name,
            item.Type,
            item.Reason,
            item.InvolvedObject,
            item.Source,
            item.ReportingComponent,
            item.ReportingInstance,
            item.Message,
            item.FirstTimestamp,
            item.LastTimestamp,
            item.EventTime,
            item.Count,
            item.Series is not null,
            item.Series?.Count,
            item.Series?.LastObservedTime).Cells(now);
}
