namespace BrkCoin.WebUi.Lesson;

/// <summary>The marks on the speed chart now, oldest first.</summary>
public interface ILessonMarks
{
    IReadOnlyList<LessonMark> Marks { get; }
}
