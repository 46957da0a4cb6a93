namespace Barometer.Core.Books;

/// <summary>What applying one book message did. Anything but <see cref="Applied"/> means resync.</summary>
public enum BookApplyResult : byte
{
    /// <summary>The message was applied; the book is consistent.</summary>
    Applied = 0,

    /// <summary>A level had a negative, NaN or infinite size or a non-positive price; nothing was changed.</summary>
    InvalidLevel = 1,

    /// <summary>After the message best bid ≥ best ask; the book was cleared and must be resynced.</summary>
    Crossed = 2,

    /// <summary>A delta arrived while the book had no snapshot; ignored.</summary>
    NotSynced = 3,
}
