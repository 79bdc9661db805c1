## Zalo: what the bot says there, and what baocao says about it at start

zalo-file-elsewhere = (Tệp «{ $name }» được gửi qua nền tảng khác; xem trên trang web của baocao.)
zalo-file-not-sent = Tệp «{ $name }» không gửi được qua Zalo; hãy lấy tệp trên trang web của baocao.
zalo-file-link = Tải tệp «{ $name }» tại: { $link } (liên kết dùng được trong { $minutes } phút).
