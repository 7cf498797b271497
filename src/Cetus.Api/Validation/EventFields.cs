using k8s.Models;

namespace Cetus.Api.Validation;

/// <summary>
/// An event in Kubernetes' internal shape, which both core/v1 and events.k8s.io/v1 events are read into: errors
/// name the internal fields (involvedObject, message, source…) whichever API the event came through, as upstream.
/// </summary>
internal sealed record EventFields(
    V1ObjectMeta? Metadata,
    V1ObjectReference? InvolvedObject,
    string? Reason,
    string? Message,
    V1EventSource? Source,
    DateTime? FirstTimestamp,
    DateTime? LastTimestamp,
    int? Count,
    string? Type,
    DateTime? EventTime,
    int? SeriesCount,
    DateTime? SeriesLastObservedTime,
    bool HasSeries,
    string? Action,
    V1ObjectReference? Related,
    string? ReportingController,
    string? ReportingInstance);
