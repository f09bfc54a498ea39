using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace StudyRecs.Migrations.Postgres.Migrations
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
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    UploaderId = table.Column<string>(type: "text", nullable: true),
                    Label = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    FileName = table.Column<string>(type: "character varying(260)", maxLength: 260, nullable: false),
                    SizeBytes = table.Column<long>(type: "bigint", nullable: false),
                    Sha256 = table.Column<string>(type: "character(64)", fixedLength: true, maxLength: 64, nullable: false),
                    Format = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Sheet = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    TotalRows = table.Column<long>(type: "bigint", nullable: false),
                    ValidRows = table.Column<long>(type: "bigint", nullable: false),
                    LabelledRows = table.Column<long>(type: "bigint", nullable: false),
                    RowsWithWarnings = table.Column<long>(type: "bigint", nullable: false),
                    ErrorCount = table.Column<long>(type: "bigint", nullable: false),
                    WarningCount = table.Column<long>(type: "bigint", nullable: false),
                    TooSmallToTrain = table.Column<bool>(type: "boolean", nullable: false),
                    Status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    DuplicateOfId = table.Column<long>(type: "bigint", nullable: true),
                    UploadedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ValidatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    StatusChangedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ErrorText = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    ReportJson = table.Column<string>(type: "text", nullable: true),
                    StoredFilePath = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: true)
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
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    DatasetId = table.Column<long>(type: "bigint", nullable: false),
                    RowNumber = table.Column<long>(type: "bigint", nullable: false),
                    StudentId = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    Semester = table.Column<int>(type: "integer", nullable: false),
                    Subject = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    AssignmentMarks = table.Column<double>(type: "double precision", nullable: true),
                    QuizMarks = table.Column<double>(type: "double precision", nullable: true),
                    AttendancePercentage = table.Column<double>(type: "double precision", nullable: true),
                    MidtermMarks = table.Column<double>(type: "double precision", nullable: true),
                    PreviousCgpa = table.Column<double>(type: "double precision", nullable: true),
                    FinalMarks = table.Column<double>(type: "double precision", nullable: true),
                    FinalGrade = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    ExtraFeaturesJson = table.Column<string>(type: "text", nullable: true)
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
                    DatasetId = table.Column<long>(type: "bigint", nullable: false),
                    Content = table.Column<byte[]>(type: "bytea", nullable: false)
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
