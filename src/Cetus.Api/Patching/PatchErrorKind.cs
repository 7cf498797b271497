namespace Cetus.Api.Patching;

/// <summary>
/// The answer kube-apiserver gives when a patch fails, so the server can build the same Status.
/// </summary>
public enum PatchErrorKind
{
    /// <summary>
    /// 400, reason <c>BadRequest</c>: the patch document itself is malformed
    /// (not JSON of the right shape, a bad <c>$retainKeys</c> or <c>$setElementOrder</c> directive).
    /// </summary>
    BadRequest,

    /// <summary>
    /// 422, reason <c>Invalid</c>: a well-formed patch that does not apply to this object (a json-patch
    /// <c>test</c> failure, a missing path). kube-apiserver words the Status message
    /// "the server rejected our request due to an error in our request" and puts the patch error in a
    /// cause of type <c>UnexpectedServerResponse</c>.
    /// </summary>
    Invalid,

    /// <summary>413, reason <c>RequestEntityTooLarge</c>: more json-patch operations than the server accepts.</summary>
    RequestEntityTooLarge,

    /// <summary>
    /// 500 with an empty reason: strategic-merge errors kube-apiserver does not classify, such as a list
    /// item without its merge key; the message is the error text.
    /// </summary>
    Internal,
}
