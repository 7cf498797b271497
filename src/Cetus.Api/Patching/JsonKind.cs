namespace Cetus.Api.Patching;

/// <summary>The categories of JSON value that upstream's Go code tells apart by their decoded type.</summary>
internal enum JsonKind
{
    /// <summary>JSON null (a Go nil).</summary>
    Null,

    /// <summary>A JSON object (a Go map).</summary>
    Object,

    /// <summary>A JSON array (a Go slice).</summary>
    Array,

    /// <summary>A JSON string.</summary>
    String,

    /// <summary>A JSON number.</summary>
    Number,

    /// <summary>true or false.</summary>
    Boolean,
}
