using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace StudyRecs.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class Datasets : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "UploadedDatasets",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    UploaderId = table.Column<string>(type: "TEXT", nullable: true),
                    Label = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    FileName = table.Column<string>(type: "TEXT", maxLength: 260, nullable: false),
                    SizeBytes = table.Column<long>(type: "INTEGER", nullable: false),
                    Sha256 = table.Column<string>(type: "TEXT", fixedLength: true, maxLength: 64, nullable: false),
                    Format = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Sheet = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    TotalRows = table.Column<long>(type: "INTEGER", nullable: false),
                    ValidRows = table.Column<long>(type: "INTEGER", nullable: false),
                    LabelledRows = table.Column<long>(type: "INTEGER", nullable: false),
                    RowsWithWarnings = table.Column<long>(type: "INTEGER", nullable: false),
                    ErrorCount = table.Column<long>(type: "INTEGER", nullable: false),
                    WarningCount = table.Column<long>(type: "INTEGER", nullable: false),
                    TooSmallToTrain = table.Column<bool>(type: "INTEGER", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    DuplicateOfId = table.Column<long>(type: "INTEGER", nullable: true),
                    UploadedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false),
                    ValidatedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: true),
                    StatusChangedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false),
                    ErrorText = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    ReportJson = table.Column<string>(type: "TEXT", nullable: true),
                    StoredFilePath = table.Column<string>(type: "TEXT", maxLength: 400, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_UploadedDatasets", x => x.Id);
                    table.ForeignKey(
                        name: "FK_UploadedDatasets_AspNetUsers_UploaderId",
                        column: x => x.UploaderId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "FK_UploadedDatasets_UploadedDatasets_DuplicateOfId",
                        column: x => x.DuplicateOfId,
                        principalTable: "UploadedDatasets",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateTable(
                name: "DatasetRows",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    DatasetId = table.Column<long>(type: "INTEGER", nullable: false),
                    RowNumber = table.Column<long>(type: "INTEGER", nullable: false),
                    StudentId = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    Semester = table.Column<int>(type: "INTEGER", nullable: false),
                    Subject = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    AssignmentMarks = table.Column<double>(type: "REAL", nullable: true),
                    QuizMarks = table.Column<double>(type: "REAL", nullable: true),
                    AttendancePercentage = table.Column<double>(type: "REAL", nullable: true),
                    MidtermMarks = table.Column<double>(type: "REAL", nullable: true),
                    PreviousCgpa = table.Column<double>(type: "REAL", nullable: true),
                    FinalMarks = table.Column<double>(type: "REAL", nullable: true),
                    FinalGrade = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    ExtraFeaturesJson = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DatasetRows", x => x.Id);
                    table.ForeignKey(
                        name: "FK_DatasetRows_UploadedDatasets_DatasetId",
                        column: x => x.DatasetId,
                        principalTable: "UploadedDatasets",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "UploadedDatasetFiles",
                columns: table => new
                {
                    DatasetId = table.Column<long>(type: "INTEGER", nullable: false),
                    Content = table.Column<byte[]>(type: "BLOB", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_UploadedDatasetFiles", x => x.DatasetId);
                    table.ForeignKey(
                        name: "FK_UploadedDatasetFiles_UploadedDatasets_DatasetId",
                        column: x => x.DatasetId,
                        principalTable: "UploadedDatasets",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_DatasetRows_DatasetId_RowNumber",
                table: "DatasetRows",
                columns: new[] { "DatasetId", "RowNumber" });

            migrationBuilder.CreateIndex(
                name: "IX_DatasetRows_StudentId",
                table: "DatasetRows",
                column: "StudentId");

            migrationBuilder.CreateIndex(
                name: "IX_UploadedDatasets_DuplicateOfId",
                table: "UploadedDatasets",
                column: "DuplicateOfId");

            migrationBuilder.CreateIndex(
                name: "IX_UploadedDatasets_Sha256",
                table: "UploadedDatasets",
                column: "Sha256");

            migrationBuilder.CreateIndex(
                name: "IX_UploadedDatasets_Status",
                table: "UploadedDatasets",
                column: "Status");

            migrationBuilder.CreateIndex(
                name: "IX_UploadedDatasets_UploaderId_Id",
                table: "UploadedDatasets",
                columns: new[] { "UploaderId", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "DatasetRows");

            migrationBuilder.DropTable(
                name: "UploadedDatasetFiles");

            migrationBuilder.DropTable(
                name: "UploadedDatasets");
        }
    }
}
