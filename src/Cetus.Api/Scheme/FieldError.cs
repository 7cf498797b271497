namespace Cetus.Api.Scheme;

/// <summary>Why a field is wrong, as Kubernetes' field.ErrorType; the name becomes the StatusCause reason.</summary>
public enum FieldErrorType
{
    /// <summary>"Required value".</summary>
    FieldValueRequired,

    /// <summary>"Invalid value".</summary>
    FieldValueInvalid,

    /// <summary>"Unsupported value".</summary>
    FieldValueNotSupported,

    /// <summary>"Duplicate value".</summary>
    FieldValueDuplicate,

    /// <summary>"Forbidden".</summary>
    FieldValueForbidden,

    /// <summary>"Too long".</summary>
    FieldValueTooLong,

    /// <summary>"Too many".</summary>
    FieldValueTooMany,

    /// <summary>"Not found".</summary>
    FieldValueNotFound,
}

/// <summary>One validation failure at a field path such as <c>spec.containers[0].image</c>.</summary>
/// <param name="Type">The kind of failure.</param>
/// <param name="Field">The field path.</param>
/// <param name="Message">The whole message as Kubernetes words it, e.g. <c>spec.containers[0].image: Required value</c>.</param>
public sealed record FieldError(FieldErrorType Type, string Field, string Message);
