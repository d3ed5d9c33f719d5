"""Indonesian text for demo complaints: titles, bodies, notes, follow-ups and people.

Bodies are composed from parts (issue, date, detail, closing) so a few templates per category
give many distinct complaints. `{place}` is a street in the incident region.
"""

from gateway.domain import ComplaintType

# Per category: two complaints, one aspiration, one information request (title, issue).
TEMPLATES: dict[str, tuple[tuple[str, str], ...]] = {
    "KESEHATAN": (
        ("Pelayanan puskesmas lambat",
         "Antrean di puskesmas dekat {place} sangat panjang dan petugas pendaftaran sering tidak "
         "berada di tempat."),
        ("Pasien BPJS diminta membayar",
         "Keluarga kami peserta BPJS Kesehatan tetapi diminta membayar biaya perawatan di rumah "
         "sakit di {place}."),
        ("Usulan penambahan tenaga kesehatan",
         "Puskesmas di {place} hanya memiliki satu dokter untuk melayani ribuan warga."),
        ("Jadwal imunisasi anak",
         "Kami ingin mengetahui jadwal imunisasi dasar lengkap di posyandu sekitar {place}."),
    ),
    "PENDIDIKAN": (
        ("Pungutan uang pembangunan di sekolah",
         "Sekolah negeri di {place} meminta uang pembangunan kepada orang tua murid tanpa dasar "
         "yang jelas."),
        ("Dana PIP belum diterima",
         "Anak kami terdaftar sebagai penerima Program Indonesia Pintar di sekolah di {place}, "
         "tetapi dananya belum diterima."),
        ("Usulan perbaikan ruang kelas",
         "Beberapa ruang kelas SD negeri di {place} atapnya bocor setiap kali hujan."),
        ("Informasi zonasi PPDB",
         "Mohon informasi batas zonasi PPDB untuk SMP negeri di sekitar {place}."),
    ),
    "INFRASTRUKTUR": (
        ("Jalan rusak dan berlubang",
         "Ruas jalan di {place} rusak parah dan berlubang sehingga sering terjadi kecelakaan."),
        ("Drainase tersumbat menyebabkan banjir",
         "Saluran drainase di {place} tersumbat sehingga air meluap ke rumah warga setiap hujan."),
        ("Usulan pembangunan jembatan",
         "Warga di {place} harus memutar jauh karena belum ada jembatan penghubung."),
        ("Jadwal perbaikan jalan",
         "Kami ingin mengetahui kapan perbaikan jalan di {place} akan dilaksanakan."),
    ),
    "ADMINISTRASI_KEPENDUDUKAN": (
        ("KTP elektronik belum dicetak",
         "Saya sudah merekam data KTP elektronik untuk alamat di {place} sejak lama, tetapi KTP "
         "belum juga dicetak."),
        ("Pengurusan akta kelahiran dipersulit",
         "Pengurusan akta kelahiran anak kami di {place} diminta syarat tambahan yang tidak ada "
         "dalam ketentuan."),
        ("Usulan layanan adminduk keliling",
         "Warga lanjut usia di {place} kesulitan datang ke kantor dinas untuk mengurus dokumen."),
        ("Syarat pindah domisili",
         "Mohon informasi persyaratan pindah domisili dari {place} ke kabupaten lain."),
    ),
    "LINGKUNGAN_HIDUP": (
        ("Sampah menumpuk tidak diangkut",
         "Sampah di tempat pembuangan sementara di {place} sudah lebih dari seminggu tidak "
         "diangkut."),
        ("Pencemaran limbah pabrik",
         "Limbah cair sebuah pabrik di {place} dibuang ke sungai sehingga air berbau dan ikan "
         "mati."),
        ("Usulan ruang terbuka hijau",
         "Kawasan padat penduduk di {place} belum memiliki taman atau ruang terbuka hijau."),
        ("Jadwal pengangkutan sampah",
         "Mohon informasi jadwal pengangkutan sampah rumah tangga di {place}."),
    ),
    "KETENAGAKERJAAN": (
        ("Upah di bawah upah minimum",
         "Perusahaan tempat saya bekerja di {place} membayar upah di bawah upah minimum."),
        ("Pesangon tidak dibayarkan",
         "Saya diberhentikan oleh perusahaan di {place} tanpa menerima pesangon."),
        ("Usulan pelatihan kerja",
         "Banyak pemuda di {place} menganggur dan membutuhkan pelatihan keterampilan."),
        ("Informasi bursa kerja",
         "Mohon informasi bursa kerja yang akan diadakan di sekitar {place}."),
    ),
    "PERHUBUNGAN": (
        ("Lampu lalu lintas mati",
         "Lampu lalu lintas di persimpangan {place} sudah mati selama beberapa hari."),
        ("Pungutan parkir liar",
         "Juru parkir di {place} menarik tarif melebihi ketentuan tanpa memberikan karcis."),
        ("Usulan rambu dan penyeberangan",
         "Di depan sekolah di {place} belum ada rambu maupun tempat penyeberangan."),
        ("Rute angkutan umum",
         "Mohon informasi rute dan jadwal angkutan umum yang melewati {place}."),
    ),
    "PERPAJAKAN": (
        ("Tagihan PBB tidak sesuai",
         "Tagihan PBB rumah kami di {place} naik berlipat tanpa pemberitahuan."),
        ("Pelayanan Samsat berbelit",
         "Perpanjangan STNK di kantor Samsat yang melayani {place} memakan waktu seharian."),
        ("Usulan pembayaran pajak daring",
         "Warga di {place} berharap pajak daerah dapat dibayar melalui aplikasi."),
        ("Program pemutihan pajak kendaraan",
         "Mohon informasi apakah ada program pemutihan pajak kendaraan untuk warga {place}."),
    ),
    "BANSOS": (
        ("Bantuan sosial tidak tepat sasaran",
         "Banyak warga mampu di {place} menerima bantuan, sementara warga miskin tidak terdaftar."),
        ("BLT belum diterima",
         "Nama saya terdaftar sebagai penerima BLT di {place}, tetapi bantuan belum diterima."),
        ("Usulan pemutakhiran DTKS",
         "Data penerima bantuan di {place} perlu diperbarui karena banyak yang sudah pindah."),
        ("Cara mendaftar DTKS",
         "Bagaimana cara mendaftarkan keluarga kami di {place} ke dalam DTKS?"),
    ),
    "ENERGI_LISTRIK": (
        ("Listrik sering padam",
         "Listrik di {place} padam hampir setiap hari tanpa pemberitahuan."),
        ("Lampu penerangan jalan mati",
         "Lampu penerangan jalan umum di {place} sudah lama mati sehingga rawan kejahatan."),
        ("Usulan penambahan lampu jalan",
         "Ruas jalan di {place} gelap pada malam hari dan perlu tambahan lampu."),
        ("Prosedur tambah daya listrik",
         "Mohon informasi prosedur dan biaya tambah daya listrik untuk rumah di {place}."),
    ),
    "AIR_BERSIH": (
        ("Air tidak mengalir",
         "Air dari perusahaan air minum di {place} tidak mengalir selama beberapa hari."),
        ("Air keruh dan berbau",
         "Air perpipaan di {place} keruh dan berbau sehingga tidak layak digunakan."),
        ("Usulan perluasan jaringan air bersih",
         "Sebagian warga di {place} belum terjangkau jaringan air bersih."),
        ("Biaya sambungan baru",
         "Mohon informasi biaya pemasangan sambungan air baru di {place}."),
    ),
    "PERTANAHAN": (
        ("Sertifikat tanah tak kunjung terbit",
         "Permohonan sertifikat tanah kami di {place} sudah lebih dari setahun belum selesai."),
        ("Sengketa batas tanah",
         "Batas tanah kami di {place} diserobot dan pengukuran ulang tidak kunjung dilakukan."),
        ("Usulan program PTSL",
         "Banyak bidang tanah warga di {place} belum bersertifikat."),
        ("Biaya pengukuran tanah",
         "Mohon informasi biaya resmi pengukuran tanah di {place}."),
    ),
    "KETERTIBAN_UMUM": (
        ("Pedagang menutup trotoar",
         "Pedagang kaki lima di {place} menutup trotoar sehingga pejalan kaki turun ke jalan."),
        ("Kebisingan hingga larut malam",
         "Sebuah tempat hiburan di {place} bising hingga larut malam."),
        ("Usulan penertiban reklame",
         "Banyak reklame liar di {place} yang membahayakan pengguna jalan."),
        ("Izin keramaian",
         "Mohon informasi prosedur izin keramaian untuk acara warga di {place}."),
    ),
    "KEPEGAWAIAN": (
        ("Pegawai tidak berada di tempat",
         "Beberapa pegawai di kantor pelayanan di {place} sering tidak berada di tempat pada jam "
         "kerja."),
        ("Dugaan pungutan seleksi PPPK",
         "Ada oknum di {place} yang meminta uang dengan janji kelulusan seleksi PPPK."),
        ("Usulan peningkatan disiplin ASN",
         "Kami berharap ada pengawasan kehadiran pegawai di kantor-kantor di {place}."),
        ("Jadwal seleksi CASN",
         "Mohon informasi jadwal seleksi CASN untuk formasi di {place}."),
    ),
    "PERIZINAN": (
        ("Pengurusan izin usaha lambat",
         "Permohonan izin usaha kami untuk lokasi di {place} belum diproses tanpa kejelasan."),
        ("Bangunan tanpa PBG",
         "Sebuah bangunan di {place} didirikan tanpa persetujuan bangunan gedung."),
        ("Usulan penyederhanaan izin UMKM",
         "Pelaku UMKM di {place} kesulitan memahami alur perizinan."),
        ("Syarat pengurusan NIB",
         "Mohon informasi syarat pengurusan NIB untuk usaha kecil di {place}."),
    ),
    "PERUMAHAN": (
        ("Bedah rumah tidak tepat sasaran",
         "Bantuan bedah rumah di {place} diberikan kepada warga yang rumahnya sudah layak."),
        ("Perumahan tanpa fasilitas umum",
         "Pengembang perumahan di {place} belum menyerahkan fasilitas umum yang dijanjikan."),
        ("Usulan rumah layak huni",
         "Masih banyak rumah tidak layak huni di {place}."),
        ("Syarat rumah subsidi",
         "Mohon informasi syarat memperoleh rumah subsidi di sekitar {place}."),
    ),
    "KOMUNIKASI_INFORMATIKA": (
        ("Sinyal internet buruk",
         "Jaringan internet di {place} sangat lemah sehingga siswa sulit belajar daring."),
        ("Situs layanan tidak dapat diakses",
         "Situs layanan daring pemerintah untuk warga {place} tidak dapat diakses berhari-hari."),
        ("Usulan wifi publik",
         "Kami mengusulkan wifi publik di balai warga di {place}."),
        ("Kanal pengaduan daring",
         "Mohon informasi kanal pengaduan daring yang melayani warga {place}."),
    ),
    "PERTANIAN": (
        ("Pupuk bersubsidi langka",
         "Petani di {place} kesulitan mendapatkan pupuk bersubsidi menjelang musim tanam."),
        ("Saluran irigasi rusak",
         "Saluran irigasi di {place} rusak sehingga sawah warga kekeringan."),
        ("Usulan bantuan alat pertanian",
         "Kelompok tani di {place} membutuhkan bantuan traktor tangan."),
        ("Pendaftaran kartu tani",
         "Mohon informasi cara mendaftar kartu tani bagi petani di {place}."),
    ),
    "PERDAGANGAN": (
        ("Harga minyak goreng melonjak",
         "Harga minyak goreng di pasar {place} jauh di atas harga eceran tertinggi."),
        ("Timbangan pedagang tidak sesuai",
         "Banyak timbangan pedagang di pasar {place} yang tidak sesuai berat sebenarnya."),
        ("Usulan revitalisasi pasar",
         "Pasar tradisional di {place} becek dan atapnya bocor."),
        ("Jadwal operasi pasar",
         "Mohon informasi jadwal operasi pasar murah di {place}."),
    ),
    "PELAYANAN_PUBLIK": (
        ("Pungutan di kantor kelurahan",
         "Petugas kantor kelurahan di {place} meminta uang untuk surat pengantar."),
        ("Petugas pelayanan tidak ramah",
         "Petugas pelayanan di kantor pemerintahan di {place} bersikap tidak ramah."),
        ("Usulan mal pelayanan publik",
         "Warga di {place} berharap ada mal pelayanan publik agar layanan lebih mudah."),
        ("Jam layanan kantor",
         "Mohon informasi jam layanan kantor pemerintahan di {place}."),
    ),
}  # fmt: skip

DETAILS = (
    "Kondisi ini sudah berlangsung cukup lama dan belum ada tindakan.",
    "Kami sudah menyampaikan hal ini kepada petugas setempat, tetapi belum ada tanggapan.",
    "Hal ini sangat merugikan warga sekitar.",
    "Banyak warga lain mengalami hal yang sama.",
    "Kami sudah menunggu berminggu-minggu tanpa kepastian.",
    "Warga sekitar siap memberikan keterangan tambahan bila diperlukan.",
)

CLOSINGS: dict[ComplaintType, tuple[str, ...]] = {
    ComplaintType.COMPLAINT: (
        "Mohon segera ditindaklanjuti.",
        "Kami berharap instansi terkait segera turun ke lapangan.",
        "Mohon pihak berwenang memberikan solusi.",
    ),
    ComplaintType.ASPIRATION: (
        "Kami berharap usulan ini dapat dipertimbangkan.",
        "Semoga usulan ini masuk dalam perencanaan tahun depan.",
    ),
    ComplaintType.INFORMATION_REQUEST: ("Mohon penjelasannya.", "Terima kasih atas informasinya."),
}

MONTHS = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip

STREETS = (
    "Jalan Jenderal Sudirman", "Jalan Gatot Subroto", "Jalan Diponegoro", "Jalan Ahmad Yani",
    "Jalan Imam Bonjol", "Jalan Sisingamangaraja", "Jalan Gajah Mada", "Jalan Hayam Wuruk",
    "Jalan Pattimura", "Jalan Cut Nyak Dhien", "Jalan Teuku Umar", "Jalan Kartini",
    "Jalan Pahlawan", "Jalan Merdeka", "Jalan Veteran", "Jalan Pemuda", "Jalan Juanda",
    "Jalan Sultan Hasanuddin", "Jalan Pangeran Antasari", "Jalan WR Supratman",
)  # fmt: skip

CHANNEL_NOTES = {
    "WEB": "Laporan diterima melalui situs SP4N-LAPOR!.",
    "SMS": "Laporan diterima melalui SMS 1708.",
    "APP": "Laporan diterima melalui aplikasi SP4N-LAPOR!.",
    "SOCIAL_MEDIA": "Laporan diterima melalui media sosial.",
    "AGENCY_CHANNEL": "Laporan diterima melalui kanal pengaduan instansi.",
}

NOTES = {
    "VERIFIED": "Laporan telah diverifikasi oleh admin.",
    "DISPOSED": "Laporan didisposisikan kepada instansi berwenang.",
    "REDISPOSED": "Laporan didisposisikan ulang kepada instansi berwenang.",
    "IN_PROGRESS": "Laporan sedang ditindaklanjuti.",
    "REOPENED": "Pelapor menanggapi; laporan dibuka kembali.",
    "RESPONDED": "Instansi telah memberikan tanggapan.",
    "COMPLETED": "Laporan dinyatakan selesai.",
    "CLOSED_BY_REPORTER": "Laporan ditutup oleh pelapor.",
    "CLOSED_BY_SYSTEM": "Ditutup otomatis: tidak ada tanggapan pelapor dalam 10 hari kerja.",
    "ON_HOLD": "Ditunda: menunggu kelengkapan data dari pelapor.",
    "NOT_OUR_AUTHORITY": "Bukan kewenangan instansi; dikembalikan untuk disposisi ulang.",
    "ESCALATED": "Batas waktu terlampaui; dilaporkan ke Ombudsman RI melalui SIMPeL.",
    "UNCLEAR": "Diarsipkan: laporan tidak jelas dan tidak dapat ditindaklanjuti.",
    "OUT_OF_SCOPE": "Diarsipkan: di luar ruang lingkup pelayanan publik.",
    "DUPLICATE": "Diarsipkan: laporan ganda.",
}

REASONS = {
    "DIRECT": "Sesuai kewenangan.",
    "CASCADE": "Diteruskan ke instansi pelaksana.",
    "RETURN": "Bukan kewenangan; mohon disposisi ulang.",
    "REDISPOSE": "Disposisi ulang ke instansi berwenang.",
}

FOLLOW_UPS = (
    "Laporan telah diteruskan ke bidang terkait untuk ditindaklanjuti.",
    "Petugas dijadwalkan meninjau lokasi di {place}.",
    "Kami sedang berkoordinasi dengan unit teknis terkait.",
)
RESPONSES = (
    "Petugas telah memeriksa lokasi di {place} dan permasalahan sudah ditangani.",
    "Permasalahan telah diselesaikan; mohon konfirmasi bila masih ada kendala.",
    "Perbaikan dijadwalkan dalam anggaran tahun berjalan; terima kasih atas laporannya.",
    "Pelapor telah dihubungi dan diberikan penjelasan sesuai ketentuan.",
)

GIVEN_NAMES = (
    "Agus", "Budi", "Dewi", "Siti", "Rina", "Andi", "Yusuf", "Fitri", "Hendra", "Nurul",
    "Rizky", "Putri", "Dedi", "Sri", "Ahmad", "Indah", "Eko", "Wahyu", "Maria", "Joko",
    "Lestari", "Bambang", "Ratna", "Fajar", "Ayu", "Hasan", "Yohana", "Irwan", "Nabila", "Teguh",
)  # fmt: skip
FAMILY_NAMES = (
    "Saputra", "Wijaya", "Santoso", "Hidayat", "Kurniawan", "Pratama", "Setiawan", "Lubis",
    "Nasution", "Siregar", "Harahap", "Hutapea", "Simanjuntak", "Sinaga", "Tarigan", "Ginting",
    "Sembiring", "Purba", "Pardede", "Gunawan", "Sitorus", "Permana", "Syahputra", "Hasibuan",
)  # fmt: skip
EMAIL_DOMAINS = ("gmail.com", "gmail.com", "gmail.com", "yahoo.co.id", "yahoo.com", "outlook.com")
PHONE_PREFIXES = ("811", "812", "813", "821", "822", "852", "853", "857", "858", "877", "878",
                  "895", "896", "881")  # fmt: skip
