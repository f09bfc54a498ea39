using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace StudyRecs.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class DatasetLifecycleAndModelPins : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_DatasetRows_StudentId",
                table: "DatasetRows");

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "ArchivedAt",
                table: "UploadedDatasets",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ArchivedBy",
                table: "UploadedDatasets",
                type: "character varying(256)",
                maxLength: 256,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "AuditEntries",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    At = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    By = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    Action = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Target = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Details = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AuditEntries", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ModelPins",
                columns: table => new
                {
                    Task = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Version = table.Column<string>(type: "character varying(14)", maxLength: 14, nullable: false),
                    PinnedBy = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    PinnedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Reason = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ModelPins", x => x.Task);
                });

            migrationBuilder.CreateIndex(
                name: "IX_DatasetRows_StudentId_Semester_Subject_DatasetId",
                table: "DatasetRows",
                columns: new[] { "StudentId", "Semester", "Subject", "DatasetId" });

            migrationBuilder.CreateIndex(
                name: "IX_AuditEntries_Action_Id",
                table: "AuditEntries",
                columns: new[] { "Action", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AuditEntries");

            migrationBuilder.DropTable(
                name: "ModelPins");

            migrationBuilder.DropIndex(
                name: "IX_DatasetRows_StudentId_Semester_Subject_DatasetId",
                table: "DatasetRows");

            migrationBuilder.DropColumn(
                name: "ArchivedAt",
                table: "UploadedDatasets");

            migrationBuilder.DropColumn(
                name: "ArchivedBy",
                table: "UploadedDatasets");

            migrationBuilder.CreateIndex(
                name: "IX_DatasetRows_StudentId",
                table: "DatasetRows",
                column: "StudentId");
        }
    }
}
