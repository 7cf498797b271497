using Cetus.Api.Resources.Printing;
using Cetus.Api.Scheme;
using k8s.Models;

namespace Cetus.Api.Resources.Events;

/// <summary>
/// events.k8s.io/v1 Events, with the same columns as core Events: kube-apiserver converts them to core Events
/// (regarding → involvedObject, note → message, deprecated* → source, first/last timestamp and count) and prints those.
/// </summary>
public sealed class EventsV1EventTable : TableConvertor<Eventsv1Event>
{
    /// <inheritdoc />
    public override IReadOnlyList<TableColumn> Columns => EventRow.Columns;

    /// <inheritdoc />
    protected override object?[] Row(Eventsv1Event item, DateTimeOffset now) =>
        new EventRow(
            item.Metadata?.Name,
            item.Type,
            item.Reason,
            item.Regarding,
            item.DeprecatedSource,
            item.ReportingController,
            item.ReportingInstance,
            item.Note,
            item.DeprecatedFirstTimestamp,
            item.DeprecatedLastTimestamp,
            item.EventTime,
            item.DeprecatedCount,
            item.Series is not null,
            item.Series?.Count,
            item.Series?.LastObservedTime).Cells(now);
}
