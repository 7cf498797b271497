using Cetus.Api.Scheme;
using k8s.Models;

namespace Cetus.Api.Resources.EventsV1;

/// <summary>
/// events.k8s.io/v1 Events are kept as core/v1 Events, as Kubernetes keeps them, so that an event written through
/// either API is read through both. The fields map one to one (upstream's pkg/apis/events/v1 conversion).
/// </summary>
internal static class EventConversion
{
    /// <summary>Shares the storage of <paramref name="coreEvents"/>.</summary>
    public static SharedStorage StoredAs(ResourceDefinition coreEvents) => new()
    {
        StoredAs = coreEvents,
        ToStored = item => ToCore((Eventsv1Event)item),
        FromStored = item => FromCore((Corev1Event)item),
    };

    /// <summary>The core/v1 form of an events.k8s.io/v1 Event.</summary>
    public static Corev1Event ToCore(Eventsv1Event item) => new()
    {
        ApiVersion = "v1",
        Kind = "Event",
        Metadata = item.Metadata,
        InvolvedObject = item.Regarding,
        Message = item.Note,
        Source = item.DeprecatedSource,
        FirstTimestamp = item.DeprecatedFirstTimestamp,
        LastTimestamp = item.DeprecatedLastTimestamp,
        Count = item.DeprecatedCount,
        ReportingComponent = item.ReportingController,
        ReportingInstance = item.ReportingInstance,
        EventTime = item.EventTime,
        Series = item.Series is { } series ? new Corev1EventSeries { Count = series.Count, LastObservedTime = series.LastObservedTime } : null,
        Action = item.Action,
        Reason = item.Reason,
        Related = item.Related,
        Type = item.Type,
    };

    /// <summary>The events.k8s.io/v1 form of a core/v1 Event.</summary>
    public static Eventsv1Event FromCore(Corev1Event item) => new()
    {
        ApiVersion = "events.k8s.io/v1",
        Kind = "Event",
        Metadata = item.Metadata,
        Regarding = item.InvolvedObject,
        Note = item.Message,
        DeprecatedSource = item.Source,
        DeprecatedFirstTimestamp = item.FirstTimestamp,
        DeprecatedLastTimestamp = item.LastTimestamp,
        DeprecatedCount = item.Count,
        ReportingController = item.ReportingComponent,
        ReportingInstance = item.ReportingInstance,
        EventTime = item.EventTime,
        Series = item.Series is { } series ? new Eventsv1EventSeries { Count = series.Count ?? 0, LastObservedTime = series.LastObservedTime ?? default } : null,
        Action = item.Action,
        Reason = item.Reason,
        Related = item.Related,
        Type = item.Type,
    };
}
